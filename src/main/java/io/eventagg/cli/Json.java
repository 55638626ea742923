package io.eventagg.cli;

import io.eventagg.query.ResultJson;

/** JSON output of the query commands: the answers' one JSON form ({@link ResultJson}). */
final class Json {
    private Json() {}

    static String write(Object value) {
        return ResultJson.write(value);
    }
}
