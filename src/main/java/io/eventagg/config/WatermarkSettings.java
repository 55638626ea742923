package io.eventagg.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.Set;

/**
 * Event-time settings.
 *
 * @param outOfOrderness how far behind the largest timestamp seen the watermark trails
 * @param allowedLateness how far behind the watermark an event may still update its buckets;
 *     later events go to the late-events table
 * @param emitInterval how often open buckets are written while they change
 * @param idleness after how long without events a source partition stops holding back the watermark
 */
public record WatermarkSettings(
        Duration outOfOrderness, Duration allowedLateness, Duration emitInterval, Duration idleness)
        implements Serializable {

    public static WatermarkSettings defaults() {
        return new WatermarkSettings(
                Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofSeconds(10), Duration.ofMinutes(1));
    }

    static WatermarkSettings parse(ConfigNode n) {
        WatermarkSettings d = defaults();
        if (n.isMissing()) return d;
        n.requireObject(Set.of("out_of_orderness", "allowed_lateness", "emit_interval", "idleness"));
        WatermarkSettings w = new WatermarkSettings(
                n.duration("out_of_orderness", d.outOfOrderness),
                n.duration("allowed_lateness", d.allowedLateness),
                n.duration("emit_interval", d.emitInterval),
                n.duration("idleness", d.idleness));
        if (w.emitInterval.toMillis() < 100) {
            throw new ConfigException(
                    n.child("emit_interval"), "must be at least 100ms, found " + Durations.format(w.emitInterval));
        }
        if (w.idleness.toMillis() < 1000) {
            throw new ConfigException(
                    n.child("idleness"), "must be at least 1s, found " + Durations.format(w.idleness));
        }
        return w;
    }
}
