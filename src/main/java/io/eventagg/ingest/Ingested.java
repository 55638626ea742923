package io.eventagg.ingest;

/** What a source emits per record: exactly one of {@code event} and {@code deadLetter} is set. */
public record Ingested(Event event, DeadLetter deadLetter) {

    public static Ingested of(Event e) {
        return new Ingested(e, null);
    }

    public static Ingested dead(DeadLetter d) {
        return new Ingested(null, d);
    }

    public boolean isEvent() {
        return event != null;
    }
}
