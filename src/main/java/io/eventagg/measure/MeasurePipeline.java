package io.eventagg.measure;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.MeasureDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.filter.PropertyKind;
import io.eventagg.ingest.Event;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Numeric measures: each event of a measure's events sends its property's value to one bucket per
 * granularity of the job ─ keyBy bucket ─ {@link MeasureBuckets} (full-value rows). A value is a
 * number only when the JSON has a number there: the text {@code "12.5"} counts as not a number,
 * never guessed.
 */
public final class MeasurePipeline {
    private MeasurePipeline() {}

    public static DataStream<MeasureRow> define(
            DataStream<Event> events, JobDefinition job, RunOptions run, long latenessMs, long emitMs) {
        List<MeasureDefinition> measures = job.measures();
        List<Granularity> granularities = job.granularities();
        int[] property = measures.stream()
                .mapToInt(m -> job.propertySelection().indexOf(m.property()))
                .toArray();
        BucketCalendar calendar = job.calendar();
        return events.flatMap((Event e, Collector<MeasureSample> out) -> {
                    for (int m = 0; m < measures.size(); m++) {
                        if (!measures.get(m).events().contains(e.event())) continue;
                        byte kind = e.propertyKinds()[property[m]];
                        double value = 0;
                        byte sample;
                        if (kind == PropertyKind.NUMBER) {
                            value = Double.parseDouble(e.propertyValues()[property[m]]);
                            sample = Double.isFinite(value) ? MeasureSample.NUMBER : MeasureSample.NOT_A_NUMBER;
                        } else {
                            // JSON null is an absent value, as in PostHog's properties.
                            sample = kind == PropertyKind.ABSENT || kind == PropertyKind.NULL
                                    ? MeasureSample.ABSENT
                                    : MeasureSample.NOT_A_NUMBER;
                        }
                        for (int g = 0; g < granularities.size(); g++)
                            out.collect(new MeasureSample(
                                    m,
                                    e.environment(),
                                    g,
                                    calendar.start(granularities.get(g), e.timestamp()),
                                    sample,
                                    value));
                    }
                })
                .returns(TypeInformation.of(MeasureSample.class))
                .name("measure samples")
                .uid("measure-samples")
                .keyBy(MeasureSample::bucketKey)
                .process(
                        new MeasureBuckets(measures, granularities, calendar, latenessMs, emitMs, run.generation()),
                        TypeInformation.of(MeasureRow.class))
                .name("measure buckets")
                .uid("measure-buckets");
    }
}
