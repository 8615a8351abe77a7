package io.streamrec.cli;

import io.streamrec.data.Rating;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The demo's stream with an attack in it (docs/gate.md): from streamed event {@code at} on, {@code events} events
 * are attacked. {@code flip} sends {@code min + max - label}, {@code constant} sends {@code max}, {@code random} a
 * uniform label in range (whole numbers when the range is), {@code shift} the label a quarter of the range lower (at
 * least {@code min}: a producer on another scale, the items' order kept), and {@code bot} adds, after each real
 * event of the window, an event of one new user ({@link #BOT_USER}) on a random item of the stream at {@code max}.
 * Each element keeps the original, clean label, against which the served model is scored.
 */
final class AttackStream {
    static final String BOT_USER = "streamrec-demo-bot";

    /** The attack kinds. */
    enum Kind {
        NONE,
        FLIP,
        CONSTANT,
        RANDOM,
        SHIFT,
        BOT;

        static Kind parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "--attack must be flip, constant, random, shift or bot, got '" + s + "'");
            }
        }

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Where an event lies: before the attack (or without one), inside its window, after it. */
    enum Phase {
        CLEAN,
        ATTACK,
        AFTER
    }

    /**
     * One event to send. {@code real} is false for a bot's event; {@code original} is the clean event (null for a
     * bot's).
     */
    record Streamed(Rating sent, Rating original, Phase phase, boolean attacked) {}

    private AttackStream() {}

    static List<Streamed> of(List<Rating> stream, Kind kind, long at, long events, float min, float max, long seed) {
        Random random = new Random(seed);
        List<String> items = new ArrayList<>();
        for (Rating r : stream) {
            items.add(r.item());
        }
        List<Streamed> out = new ArrayList<>(stream.size());
        boolean integral = min == Math.rint(min) && max == Math.rint(max);
        for (int k = 0; k < stream.size(); k++) {
            Rating r = stream.get(k);
            Phase phase = kind == Kind.NONE || k < at ? Phase.CLEAN : k < at + events ? Phase.ATTACK : Phase.AFTER;
            if (phase != Phase.ATTACK) {
                out.add(new Streamed(r, r, phase, false));
                continue;
            }
            float label = switch (kind) {
                case FLIP -> min + max - r.label();
                case CONSTANT -> max;
                case RANDOM ->
                    integral ? min + random.nextInt((int) (max - min) + 1) : min + random.nextFloat() * (max - min);
                case SHIFT -> Math.max(min, r.label() - (max - min) / 4);
                default -> r.label();
            };
            out.add(new Streamed(
                    new Rating(r.user(), r.item(), label, r.timestamp(), r.weight()), r, phase, kind != Kind.BOT));
            if (kind == Kind.BOT) {
                String item = items.get(random.nextInt(items.size()));
                out.add(new Streamed(new Rating(BOT_USER, item, max, r.timestamp(), 1f), null, phase, true));
            }
        }
        return out;
    }
}
