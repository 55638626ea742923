package io.eventagg.query;

/** A query that cannot be answered as asked (the message says why); never a wrong number instead. */
public class QueryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QueryException(String message) {
        super(message);
    }

    public QueryException(String message, Throwable cause) {
        super(message, cause);
    }
}
