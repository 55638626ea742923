package io.eventagg.cli;

/** How query results are printed. */
enum OutputFormat {
    table,
    json,
    csv
}
