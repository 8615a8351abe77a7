package io.streamrec.stream;

import io.streamrec.learn.Hyperparameters;
import io.streamrec.model.ModelMeta;
import io.streamrec.model.ModelUpdates;
import java.util.LinkedHashMap;
import java.util.Map;

/** The trainer's {@code meta} record: {@link ModelUpdates#meta} with the hyper-parameters the trainer runs with. */
public final class MetaRecord {

    private MetaRecord() {}

    public static byte[] of(Hyperparameters h, double globalMean, String snapshot, long now) {
        return of(h, 0, globalMean, snapshot, now);
    }

    /**
     * @param tail the coordinates rows carry beyond the model's ({@code TrainerConfig#publishedWidth} less the
     *     model's width)
     */
    public static byte[] of(Hyperparameters h, int tail, double globalMean, String snapshot, long now) {
        Map<String, Object> hyper = new LinkedHashMap<>();
        hyper.put("optimizer", h.optimizer().toString());
        hyper.put("learningRate", h.schedule().toString());
        hyper.put("regBias", h.regBias());
        hyper.put("regFactor", h.regFactor());
        hyper.put("clipNorm", h.clipNorm());
        hyper.put("initStd", h.initStd());
        hyper.put("seed", h.seed());
        return ModelUpdates.meta(
                // The rows' factor arrays: with the user scale one longer than the factors (c_u, or b_i's copy),
                // with the residual neighbourhood its coordinates after them.
                new ModelMeta(h.kind(), h.width() - 1 + tail, globalMean, 0, h.minLabel(), h.maxLabel(), snapshot, now),
                hyper);
    }
}
