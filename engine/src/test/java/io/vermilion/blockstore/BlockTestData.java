package io.vermilion.blockstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import io.vermilion.testing.Seeds;

/** Random and hand-made records for block tests; every random helper takes the caller's seeded {@link Random}. */
final class BlockTestData {

    private BlockTestData() {}

    /** A seed from {@code -Dtests.seed} or a fresh one, printed so a failure can be replayed. */
    static long seed(String test) {
        return Seeds.seed(test);
    }

    static SequencedRecord sequenced(long sequence, String id, float[] embedding) {
        return new SequencedRecord(sequence, new Record(id, embedding, null, null, null));
    }

    /**
     * {@code count} records with distinct random ids sorted in {@link RecordBlockFormat#ID_ORDER} and distinct
     * random sequences; embeddings of length {@code dimension}, or of random lengths if it is negative.
     */
    static List<SequencedRecord> randomRecords(Random random, int count, int dimension) {
        TreeSet<String> ids = new TreeSet<>(RecordBlockFormat.ID_ORDER);
        while (ids.size() < count) {
            ids.add(randomString(random, 1 + random.nextInt(12)));
        }
        List<Long> sequences = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sequences.add((long) i * 3 + random.nextInt(3));
        }
        Collections.shuffle(sequences, random);
        List<SequencedRecord> records = new ArrayList<>();
        int i = 0;
        for (String id : ids) {
            int length = dimension >= 0 ? dimension : random.nextInt(6);
            records.add(new SequencedRecord(sequences.get(i++), new Record(id,
                    random.nextInt(6) == 0 ? null : randomVector(random, length),
                    random.nextInt(4) == 0 ? null : randomMetadata(random),
                    random.nextInt(3) == 0 ? null : randomString(random, random.nextInt(120)),
                    random.nextInt(2) == 0 ? null : "s3://bucket/" + randomString(random, random.nextInt(20)))));
        }
        return records;
    }

    static float[] randomVector(Random random, int dimension) {
        float[] vector = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            float value;
            do {
                value = random.nextBoolean() ? (float) random.nextGaussian() : Float.intBitsToFloat(random.nextInt());
            } while (Float.isNaN(value));
            vector[i] = value;
        }
        return vector;
    }

    static Map<String, MetadataValue> randomMetadata(Random random) {
        Map<String, MetadataValue> metadata = new LinkedHashMap<>();
        int entries = random.nextInt(5);
        for (int i = 0; i < entries; i++) {
            String key = randomString(random, 1 + random.nextInt(10));
            if (random.nextInt(4) == 0) {
                int type = random.nextInt(4);
                List<MetadataValue> elements = new ArrayList<>();
                for (int e = 0, n = 1 + random.nextInt(4); e < n; e++) {
                    elements.add(randomScalar(random, type));
                }
                metadata.put(key, new MetadataValue.Array(elements));
            } else {
                metadata.put(key, randomScalar(random, random.nextInt(4)));
            }
        }
        return metadata;
    }

    static MetadataValue randomScalar(Random random, int type) {
        return switch (type) {
            case 0 -> new MetadataValue.Str(randomString(random, random.nextInt(16)));
            case 1 -> new MetadataValue.Int(random.nextBoolean() ? random.nextInt(100) : random.nextLong());
            case 2 -> {
                double value;
                do {
                    value = random.nextBoolean() ? random.nextInt(100) : Double.longBitsToDouble(random.nextLong());
                } while (!Double.isFinite(value)); // whole-number floats (3.0) must stay floats
                yield new MetadataValue.Flt(value);
            }
            default -> new MetadataValue.Bool(random.nextBoolean());
        };
    }

    /** Valid Unicode from several planes and scripts (no unpaired surrogates). */
    static String randomString(Random random, int codePoints) {
        int[][] ranges = {{0x20, 0x7E}, {0x20, 0x7E}, {0x00, 0x1F}, {0xA0, 0x24F}, {0x3040, 0x30FF}, {0x4E00, 0x9FFF},
                {0xE000, 0xFFFD}, {0x1F300, 0x1FAFF}, {0x20000, 0x2A6DF}};
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            int[] range = ranges[random.nextInt(ranges.length)];
            s.appendCodePoint(range[0] + random.nextInt(range[1] - range[0] + 1));
        }
        return s.toString();
    }

    static void assertSameRecord(Record expected, Record actual, String context) {
        assertEquals(expected.id(), actual.id(), context);
        assertArrayEquals(expected.embedding(), actual.embedding(), context + " embedding of " + expected.id());
        assertEquals(expected.metadata(), actual.metadata(), context + " metadata of " + expected.id());
        assertEquals(expected.document(), actual.document(), context + " document of " + expected.id());
        assertEquals(expected.uri(), actual.uri(), context + " uri of " + expected.id());
    }

    /** The block holds exactly {@code expected}, in order, with the same sequences. */
    static void assertBlockHolds(List<SequencedRecord> expected, RecordBlock block, String context) {
        assertEquals(expected.size(), block.size(), context);
        for (int i = 0; i < expected.size(); i++) {
            assertSameRecord(expected.get(i).record(), block.record(i), context + " record " + i);
            assertEquals(expected.get(i).id(), block.id(i), context + " record " + i);
            assertEquals(expected.get(i).sequence(), block.sequence(i), context + " sequence " + i);
        }
    }
}
