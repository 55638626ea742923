package io.eventagg.funnel;

import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/** One window per entry day (job time zone): a funnel contribution belongs to its attempt's entry day. */
public final class EntryDayWindows extends WindowAssigner<FunnelContribution, TimeWindow> {
    private static final long serialVersionUID = 1L;

    private final BucketCalendar calendar;

    public EntryDayWindows(BucketCalendar calendar) {
        this.calendar = calendar;
    }

    @Override
    public Collection<TimeWindow> assignWindows(
            FunnelContribution element, long timestamp, WindowAssignerContext context) {
        return List.of(new TimeWindow(element.entryDay(), calendar.end(Granularity.DAY, element.entryDay())));
    }

    @Override
    public Trigger<FunnelContribution, TimeWindow> getDefaultTrigger() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Trigger<FunnelContribution, TimeWindow> t = (Trigger) EventTimeTrigger.create();
        return t;
    }

    @Override
    public TypeSerializer<TimeWindow> getWindowSerializer(ExecutionConfig executionConfig) {
        return new TimeWindow.Serializer();
    }

    @Override
    public boolean isEventTime() {
        return true;
    }
}
