package io.eventagg.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The spec's {@code FunnelResult}, plus the median and p90 time to convert and whether the answer
 * can still change.
 *
 * @param overallConversionRate users at the last step / users at step 1 (0 when no one entered)
 * @param incomplete some entry day of the range has a conversion window that has not elapsed yet
 *     (relative to the data's watermark), so counts may still grow
 * @param refreshInProgress true while a refresh is rewriting rows this answer reads (else absent)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FunnelResult(
        List<FunnelStepResult> steps,
        double overallConversionRate,
        Double avgTimeToConvertSeconds,
        Double medianTimeToConvertSeconds,
        Double p90TimeToConvertSeconds,
        boolean incomplete,
        Boolean refreshInProgress) {}
