package io.eventagg.measure;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.sketch.Sketches;
import io.eventagg.types.SerializerUpgradeTestBase;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** {@link MeasureAccumulator}, the measure buckets' state. */
class MeasureAccumulatorUpgradeTest extends SerializerUpgradeTestBase<MeasureAccumulator> {

    static List<MeasureAccumulator> accumulators() {
        MeasureAccumulator empty = new MeasureAccumulator();
        MeasureAccumulator some = new MeasureAccumulator();
        double[] values = {29.0, 299.0, 0.5, 1e6, -3.25, 0.0};
        for (double v : values) some.add(new MeasureSample(0, "production", 1, 0L, MeasureSample.NUMBER, v));
        some.add(new MeasureSample(0, "production", 1, 0L, MeasureSample.NOT_A_NUMBER, 0));
        some.add(new MeasureSample(0, "production", 1, 0L, MeasureSample.ABSENT, 0));
        MeasureAccumulator onlyText = new MeasureAccumulator();
        onlyText.add(new MeasureSample(0, "staging", 0, 0L, MeasureSample.NOT_A_NUMBER, 0));
        return listOf(empty, some, onlyText);
    }

    @Override
    protected void assertSameValue(MeasureAccumulator actual, MeasureAccumulator expected) {
        assertThat(actual)
                .usingRecursiveComparison()
                .comparingOnlyFields("events", "values", "sum", "min", "max", "nonNumeric")
                .isEqualTo(expected);
        assertThat(actual.quantiles == null).isEqualTo(expected.quantiles == null);
        if (expected.quantiles != null)
            assertThat(Sketches.toBytes(actual.quantiles)).isEqualTo(Sketches.toBytes(expected.quantiles));
    }

    @Override
    protected String type() {
        return "measure-accumulator";
    }

    @Override
    protected TypeSerializer<MeasureAccumulator> serializer() {
        return new MeasureAccumulator.Serializer();
    }

    @Override
    protected String currentFixture() {
        return "format-1";
    }

    @Override
    protected List<MeasureAccumulator> samples() {
        return accumulators();
    }

    @Override
    protected List<Fixture<MeasureAccumulator>> fixtures() {
        return List.of(new Fixture<>("format-1", Expect.AS_IS, accumulators()));
    }
}
