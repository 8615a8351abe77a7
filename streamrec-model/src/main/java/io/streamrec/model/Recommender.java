package io.streamrec.model;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The queries the recommendation HTTP handlers need; {@link ModelClient} implements it. */
public interface Recommender {
    /** True once the model has been loaded up to the point it was at when the reader started. */
    boolean isReady();

    /** The meta record, if one arrived. */
    Optional<ModelMeta> meta();

    /** See {@link ModelStore#predict(String, String)}. */
    Prediction predict(String user, String item);

    /** See {@link ModelStore#recommend(String, int, Set)}. */
    List<ScoredItem> recommend(String user, int k, Set<String> exclude);

    /** See {@link ModelStore#similarItems(String, int)}. */
    Optional<List<ScoredItem>> similarItems(String item, int k);

    /** Sum of row versions held. */
    long modelVersion();

    boolean hasUser(String user);
}
