package io.streamrec.model;

/**
 * A prediction with what it was built from. An unknown user or item contributes zero bias and zero
 * factors, so an unknown user gives the item-popularity fallback {@code link(base + b_i)} and an unknown
 * item the user-only fallback {@code link(base + b_u)}.
 */
public record Prediction(double score, boolean userKnown, boolean itemKnown) {}
