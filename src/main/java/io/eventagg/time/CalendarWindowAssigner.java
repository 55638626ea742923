package io.eventagg.time;

import java.util.Collection;
import java.util.Collections;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * Tumbling event-time windows that follow a time zone's calendar: local minutes and hours, days
 * from local midnight, weeks from Monday 00:00 and real months. Flink's {@code
 * TumblingEventTimeWindows} align to the epoch with a fixed size, which cannot express a 23-hour
 * DST day or a 29-day February.
 */
public final class CalendarWindowAssigner extends WindowAssigner<Object, TimeWindow> {
    private static final long serialVersionUID = 1L;

    private final Granularity granularity;
    private final BucketCalendar calendar;

    public CalendarWindowAssigner(Granularity granularity, BucketCalendar calendar) {
        this.granularity = granularity;
        this.calendar = calendar;
    }

    public static CalendarWindowAssigner of(Granularity granularity, String zoneId) {
        return new CalendarWindowAssigner(granularity, BucketCalendar.of(zoneId));
    }

    @Override
    public Collection<TimeWindow> assignWindows(Object element, long timestamp, WindowAssignerContext context) {
        if (timestamp == Long.MIN_VALUE) {
            throw new IllegalStateException("record without an event timestamp reached a calendar window");
        }
        long start = calendar.start(granularity, timestamp);
        return Collections.singletonList(new TimeWindow(start, calendar.end(granularity, start)));
    }

    @Override
    public Trigger<Object, TimeWindow> getDefaultTrigger() {
        return EventTimeTrigger.create();
    }

    @Override
    public TypeSerializer<TimeWindow> getWindowSerializer(ExecutionConfig executionConfig) {
        return new TimeWindow.Serializer();
    }

    @Override
    public boolean isEventTime() {
        return true;
    }

    public Granularity granularity() {
        return granularity;
    }

    @Override
    public String toString() {
        return "CalendarWindows(" + granularity.id() + ", " + calendar.zone() + ")";
    }
}
