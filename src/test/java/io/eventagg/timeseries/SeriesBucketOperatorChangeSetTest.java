package io.eventagg.timeseries;

/**
 * Every {@link SeriesBucketOperatorTest} with the changed-bucket bookkeeping used on state backends
 * that copy values (a set of changed buckets instead of a flag on the heap accumulator).
 */
class SeriesBucketOperatorChangeSetTest extends SeriesBucketOperatorTest {
    @Override
    boolean changeSetAlways() {
        return true;
    }
}
