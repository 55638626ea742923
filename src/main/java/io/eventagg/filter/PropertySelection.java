package io.eventagg.filter;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The property keys a job reads (breakdown keys first, then keys used by filters). The parser
 * extracts only these, into arrays indexed by position, so later stages never re-parse JSON.
 */
public final class PropertySelection implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String[] keys;
    private final Map<String, Integer> index;

    public PropertySelection(Collection<String> orderedKeys) {
        Map<String, Integer> idx = new LinkedHashMap<>();
        for (String k : orderedKeys) idx.putIfAbsent(k, idx.size());
        this.keys = idx.keySet().toArray(new String[0]);
        this.index = idx;
    }

    public int size() {
        return keys.length;
    }

    public String key(int i) {
        return keys[i];
    }

    public List<String> keys() {
        return new ArrayList<>(List.of(keys));
    }

    /** The position of {@code key}, or -1. */
    public int indexOf(String key) {
        Integer i = index.get(key);
        return i == null ? -1 : i;
    }
}
