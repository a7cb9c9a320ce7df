package io.vermilion.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class MetadataJsonTest {

    @Test
    void intsStayIntsAndFloatsStayFloats() {
        Map<String, MetadataValue> metadata = ordered("i", new MetadataValue.Int(3), "f", new MetadataValue.Flt(3.0));

        String json = MetadataJson.encode(metadata);

        assertEquals("{\"i\":3,\"f\":3.0}", json);
        assertEquals(metadata, MetadataJson.decode(json));
    }

    @Test
    void decodeTellsIntegersFromFloatsBySyntax() {
        assertEquals(ordered("a", new MetadataValue.Int(3), "b", new MetadataValue.Flt(3.0), "c", new MetadataValue.Flt(3.0),
                        "d", new MetadataValue.Flt(-0.0)),
                MetadataJson.decode("{\"a\":3,\"b\":3.0,\"c\":3e0,\"d\":-0.0}"));
    }

    @Test
    void floatsRoundTripBitForBit() {
        long seed = Long.getLong("tests.seed", new Random().nextLong());
        System.out.println("floatsRoundTripBitForBit seed=" + seed);
        Random random = new Random(seed);
        List<Double> special = List.of(0.0, -0.0, 0.1, 1e-300, Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
                -Double.MAX_VALUE, 1e20, 123456789.123456789, (double) (1L << 53) + 2);
        for (int i = 0; i < 20_000; i++) {
            double value = i < special.size() ? special.get(i) : Double.longBitsToDouble(random.nextLong());
            if (!Double.isFinite(value)) {
                continue;
            }
            Map<String, MetadataValue> metadata = Map.of("x", new MetadataValue.Flt(value));

            Map<String, MetadataValue> decoded = MetadataJson.decode(MetadataJson.encode(metadata));

            assertEquals(metadata, decoded, "seed " + seed + " value " + value);
        }
    }

    @Test
    void sparseValuesRoundTripBitForBit() {
        long seed = Long.getLong("tests.seed", new Random().nextLong());
        System.out.println("sparseValuesRoundTripBitForBit seed=" + seed);
        Random random = new Random(seed);
        float[] special = {0f, -0f, 0.1f, Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE,
            1e-45f, 3.4e38f, 16777217f, 0.3f};
        for (int round = 0; round < 2_000; round++) {
            float[] values = new float[10];
            int[] indices = new int[10];
            for (int i = 0; i < values.length; i++) {
                int pick = round * values.length + i;
                float value;
                do {
                    value = pick < special.length ? special[pick] : Float.intBitsToFloat(random.nextInt());
                } while (!Float.isFinite(value));
                values[i] = value;
                indices[i] = i * 3;
            }
            Map<String, MetadataValue> metadata = Map.of("s", new MetadataValue.Sparse(indices, values, null));

            Map<String, MetadataValue> decoded = MetadataJson.decode(MetadataJson.encode(metadata));

            float[] got = ((MetadataValue.Sparse) decoded.get("s")).values();
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(got[i]),
                        "seed " + seed + " value " + values[i]);
            }
        }
    }

    @Test
    void longsRoundTripExactly() {
        for (long value : new long[] {0, -1, 1, Long.MIN_VALUE, Long.MAX_VALUE, (1L << 53) + 1}) {
            Map<String, MetadataValue> metadata = Map.of("n", new MetadataValue.Int(value));

            assertEquals(metadata, MetadataJson.decode(MetadataJson.encode(metadata)));
        }
    }

    @Test
    void sparseVectorsAreWrittenAsChromasTaggedObjectAndReadBackExactly() {
        MetadataValue.Sparse plain = new MetadataValue.Sparse(new int[] {0, 7, -1}, new float[] {0.1f, 2.5f, -3e-8f}, null);
        MetadataValue.Sparse tokens = new MetadataValue.Sparse(new int[] {3}, new float[] {1.0f}, List.of("cat"));
        Map<String, MetadataValue> metadata = ordered("s", plain, "t", tokens, "n", new MetadataValue.Int(1));
        String text = MetadataJson.encode(metadata);
        assertEquals("{\"s\":{\"#type\":\"sparse_vector\",\"indices\":[0,7,4294967295],\"values\":[0.1,2.5,-3.0E-8],"
                + "\"tokens\":null},\"t\":{\"#type\":\"sparse_vector\",\"indices\":[3],\"values\":[1.0],"
                + "\"tokens\":[\"cat\"]},\"n\":1}", text);
        assertEquals(metadata, MetadataJson.decode(text));
    }

    @Test
    void textWrittenBeforeSparseVectorsExistedStillDecodes() {
        // Frozen: the encoding of every older value type, as stored logs and blocks hold it.
        String old = "{\"s\":\"x\",\"i\":-4,\"f\":0.5,\"b\":true,\"a\":[1,2],\"d\":null}";
        Map<String, MetadataValue> expected = new LinkedHashMap<>();
        expected.put("s", new MetadataValue.Str("x"));
        expected.put("i", new MetadataValue.Int(-4));
        expected.put("f", new MetadataValue.Flt(0.5));
        expected.put("b", new MetadataValue.Bool(true));
        expected.put("a", new MetadataValue.Array(List.of(new MetadataValue.Int(1), new MetadataValue.Int(2))));
        expected.put("d", null);
        assertEquals(expected, MetadataJson.decode(old));
        assertEquals(old, MetadataJson.encode(expected));
    }

    @Test
    void nullValueRoundTripsAsDeleteMarker() {
        Map<String, MetadataValue> metadata = new HashMap<>();
        metadata.put("gone", null);

        String json = MetadataJson.encode(metadata);

        assertEquals("{\"gone\":null}", json);
        Map<String, MetadataValue> decoded = MetadataJson.decode(json);
        assertEquals(true, decoded.containsKey("gone"));
        assertEquals(metadata, decoded);
    }

    @Test
    void arraysKeepTheirElementTypes() {
        Map<String, MetadataValue> metadata = ordered(
                "s", array(new MetadataValue.Str("a"), new MetadataValue.Str("b")),
                "i", array(new MetadataValue.Int(1), new MetadataValue.Int(2)),
                "f", array(new MetadataValue.Flt(1.0), new MetadataValue.Flt(2.5)),
                "b", array(new MetadataValue.Bool(true), new MetadataValue.Bool(false)));

        String json = MetadataJson.encode(metadata);

        assertEquals("{\"s\":[\"a\",\"b\"],\"i\":[1,2],\"f\":[1.0,2.5],\"b\":[true,false]}", json);
        assertEquals(metadata, MetadataJson.decode(json));
    }

    @Test
    void unicodeAndEscapesRoundTrip() {
        Map<String, MetadataValue> metadata = ordered(
                "quote\"back\\slash", new MetadataValue.Str("line\nbreak\ttab\u0000nul\u001f"),
                "émoji \uD83D\uDE00", new MetadataValue.Str("日本語 עברית \u0301"),
                "", new MetadataValue.Str(""));

        assertEquals(metadata, MetadataJson.decode(MetadataJson.encode(metadata)));
    }

    @Test
    void emptyMapRoundTrips() {
        assertEquals("{}", MetadataJson.encode(Map.of()));
        assertEquals(Map.of(), MetadataJson.decode("{}"));
    }

    @Test
    void nonFiniteFloatsAreRejected() {
        for (double value : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class,
                    () -> MetadataJson.encode(Map.of("x", new MetadataValue.Flt(value))));
        }
    }

    @Test
    void malformedInputIsRejected() {
        for (String json : List.of("", "[]", "3", "{", "{\"a\":}", "{\"a\":{}}", "{\"a\":[[1]]}", "{\"a\":[null]}",
                "{} x", "{}{}", "{\"a\":1,\"a\":2}", "{\"a\":99999999999999999999}", "{\"a\":[1,")) {
            assertThrows(IllegalArgumentException.class, () -> MetadataJson.decode(json), json);
        }
    }

    private static MetadataValue.Array array(MetadataValue... elements) {
        return new MetadataValue.Array(List.of(elements));
    }

    private static Map<String, MetadataValue> ordered(Object... keysAndValues) {
        Map<String, MetadataValue> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], (MetadataValue) keysAndValues[i + 1]);
        }
        return map;
    }
}
