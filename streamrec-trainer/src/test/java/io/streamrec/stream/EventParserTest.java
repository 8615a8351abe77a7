package io.streamrec.stream;

import static io.streamrec.stream.StreamFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every reason code of {@link EventParser}, and what a valid event becomes. */
class EventParserTest {
    private final EventParser parser = new EventParser(1, 5);

    @Test
    void shouldParseAValidEventWithDefaultsForOptionalFields() {
        EventParser.Result r = parser.parse(utf8("{\"user\":\"196\",\"item\":242,\"label\":3.5}"), 77L);
        assertTrue(r.ok());
        assertNull(r.reason());
        assertEquals(new Event("196", "242", 3.5f, 1f, 77L, 77L), r.event());
    }

    @Test
    void shouldTakeTimestampAndWeightFromTheJsonAndIgnoreUnknownFields() {
        EventParser.Result r = parser.parse(
                utf8("{\"extra\":{\"a\":[1,2]},\"user\":\"u\",\"item\":\"i\",\"label\":5,"
                        + "\"timestamp\":881250949000,\"weight\":0.5}"),
                77L);
        assertEquals(new Event("u", "i", 5f, 0.5f, 881250949000L, 77L), r.event());
    }

    @Test
    void shouldAcceptNullTimestampAndWeightAsAbsentAndZeroWeight() {
        EventParser.Result r = parser.parse(
                utf8("{\"user\":\"u\",\"item\":\"i\",\"label\":1,\"timestamp\":null,\"weight\":null}"), 9L);
        assertEquals(new Event("u", "i", 1f, 1f, 9L, 9L), r.event());
        assertEquals(
                0f,
                parser.parse(utf8("{\"user\":\"u\",\"item\":\"i\",\"label\":1,\"weight\":0}"), 9L)
                        .event()
                        .weight());
    }

    @Test
    void shouldAcceptIdsOfExactlyTheMaximumLength() {
        String id = "é".repeat(EventParser.MAX_ID_LENGTH);
        assertTrue(parser.parse(utf8("{\"user\":\"" + id + "\",\"item\":\"" + id + "\",\"label\":1}"), 0)
                .ok());
    }

    @Test
    void shouldTreatAnIntegerIdAsItsDecimalStringSoSevenAndQuotedSevenAreTheSameUser() {
        Event number = parser.parse(utf8("{\"user\":7,\"item\":900001,\"label\":3}"), 0)
                .event();
        Event string = parser.parse(utf8("{\"user\":\"7\",\"item\":\"900001\",\"label\":3}"), 0)
                .event();
        assertEquals(new Event("7", "900001", 3f, 1f, 0L, 0L), number);
        assertEquals(string, number);
    }

    @ParameterizedTest(name = "{0} -> \"{1}\"")
    @CsvSource({
        "-0, 0",
        "-12, -12",
        "0, 0",
        "9223372036854775807, 9223372036854775807",
        "123456789012345678901234567890, 123456789012345678901234567890"
    })
    void shouldWriteAnIntegerIdInCanonicalDecimal(String json, String id) {
        EventParser.Result r = parser.parse(utf8("{\"user\":" + json + ",\"item\":\"i\",\"label\":3}"), 0);
        assertTrue(r.ok(), r.detail());
        assertEquals(id, r.event().user());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"7.5", "7.0", "1e3", "-0.0", "7E0"})
    void shouldRejectANonIntegralNumberIdAsWrongTypeShowingTheNumber(String number) {
        for (String field : new String[] {"user", "item"}) {
            String json = "{\"user\":\"u\",\"item\":\"i\",\"label\":3}"
                    .replace("\"" + field + "\":\"" + field.charAt(0) + "\"", "\"" + field + "\":" + number);
            EventParser.Result r = parser.parse(utf8(json), 0);
            assertEquals(EventParser.WRONG_TYPE, r.reason(), json);
            assertEquals("\"" + field + "\" must be a string or an integer, got " + number, r.detail());
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "hello | not-json",
                "[1,2] | not-json",
                "`` | not-json",
                "`{\"user\":\"u\"` | not-json",
                "`{\"user\":\"u\",\"item\":\"i\",\"label\":3} x` | not-json",
                "`{\"user\":\"u\",\"item\":\"i\",\"label\":3}{}` | not-json",
                "`{\"user\":\"u\",\"item\":\"i\",\"label\":NaN}` | not-json",
                "`{\"item\":\"i\",\"label\":3}` | missing-user",
                "`{\"user\":\"\",\"item\":\"i\",\"label\":3}` | missing-user",
                "`{\"user\":\"u\",\"label\":3}` | missing-item",
                "`{\"user\":\"u\",\"item\":\"\",\"label\":3}` | missing-item",
                "`{\"user\":\"u\",\"item\":\"i\"}` | bad-label",
                "`{\"user\":\"u\",\"item\":\"i\",\"label\":\"3\"}` | bad-label",
                "`{\"user\":\"u\",\"item\":\"i\",\"label\":[3]}` | bad-label",
                "`{\"user\":\"u\",\"item\":\"i\",\"label\":true}` | bad-label",
                "`{\"user\":\"u\",\"item\":\"i\",\"label\":1e999}` | bad-label",
                "`{\"user\":\"u\",\"item\":\"i\",\"label\":0}` | label-out-of-range",
                "`{\"user\":\"u\",\"item\":\"i\",\"label\":6}` | label-out-of-range",
                "`{\"user\":\"u\",\"item\":\"i\",\"label\":0.999}` | label-out-of-range",
                "`{\"user\":{},\"item\":\"i\",\"label\":3}` | wrong-type",
                "`{\"user\":[],\"item\":\"i\",\"label\":3}` | wrong-type",
                "`{\"user\":false,\"item\":\"i\",\"label\":3}` | wrong-type",
                "`{\"user\":2.5,\"item\":\"i\",\"label\":3}` | wrong-type",
                "`{\"user\":\"u\",\"item\":{},\"label\":3}` | wrong-type",
                "`{\"user\":\"u\",\"item\":\"i\",\"label\":3,\"timestamp\":\"now\"}` | wrong-type",
                "`{\"user\":\"u\",\"item\":\"i\",\"label\":3,\"timestamp\":1.0}` | wrong-type",
                "`{\"user\":\"u\",\"item\":\"i\",\"label\":3,\"timestamp\":99999999999999999999}` | wrong-type",
                "`{\"user\":\"u\",\"item\":\"i\",\"label\":3,\"weight\":-0.1}` | bad-weight",
                "`{\"user\":\"u\",\"item\":\"i\",\"label\":3,\"weight\":\"1\"}` | bad-weight",
                "`{\"user\":\"u\",\"item\":\"i\",\"label\":3,\"weight\":1e999}` | bad-weight",
            })
    void shouldRejectWithTheReasonCode(String json, String reason) {
        EventParser.Result r = parser.parse(utf8(json), 0);
        assertFalse(r.ok());
        assertEquals(reason, r.reason(), r.detail());
        assertFalse(r.detail().isBlank());
    }

    @Test
    void shouldRejectNullAndEmptyValuesAndTooLongIds() {
        assertEquals(EventParser.NOT_JSON, parser.parse(null, 0).reason());
        assertEquals(EventParser.NOT_JSON, parser.parse(new byte[0], 0).reason());
        String id = "x".repeat(EventParser.MAX_ID_LENGTH + 1);
        EventParser.Result r = parser.parse(utf8("{\"user\":\"u\",\"item\":\"" + id + "\",\"label\":3}"), 0);
        assertEquals(EventParser.ID_TOO_LONG, r.reason());
        assertTrue(r.detail().contains("257"), r.detail());
    }

    @Test
    void shouldNameTheRangeInTheOutOfRangeDetail() {
        EventParser.Result r = new EventParser(0, 1).parse(utf8("{\"user\":\"u\",\"item\":\"i\",\"label\":2}"), 0);
        assertEquals(EventParser.LABEL_OUT_OF_RANGE, r.reason());
        assertTrue(r.detail().contains("[0.0, 1.0]"), r.detail());
    }
}
