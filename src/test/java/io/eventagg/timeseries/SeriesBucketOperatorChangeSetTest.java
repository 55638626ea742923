package io.eventagg.timeseries;

/**
 * Every {@link SeriesBucketOperatorTest} with the changed-bucket bookkeeping used on state backends
 * that copy values (a set of changed buckets instead of a flag on the heap accumulator).
 */
class SeriesBucketOperatorChangeSetTest extends SeriesBucketOperatorTest {
    @Override
    SeriesBucketOperator operator(long lateness, long emit) {
        SeriesBucketOperator op = super.operator(lateness, emit);
        op.forceChangeSet = true;
        return op;
    }
}
