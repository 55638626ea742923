/**
 * The read path over HTTP ({@code eventagg serve}): a versioned JSON API over the query layer the
 * CLI uses ({@link io.eventagg.query.AggregationStorage}), the dashboard's files, and the access
 * rules around them.
 */
package io.eventagg.serve;
