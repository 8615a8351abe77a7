package io.streamrec.model;

/** An item with its score: a prediction for recommendations, a cosine similarity for similar items. */
public record ScoredItem(String item, double score) {}
