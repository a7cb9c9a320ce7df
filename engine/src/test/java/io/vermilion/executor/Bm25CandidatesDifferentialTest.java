package io.vermilion.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vermilion.filter.Where;
import io.vermilion.filter.WhereParser;
import io.vermilion.index.CollectionIndexWriter;
import io.vermilion.index.IndexSchema;
import io.vermilion.index.IndexedCollectionReader;
import io.vermilion.index.SearchParameters;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.RankExpr;
import io.vermilion.model.SearchHit;
import io.vermilion.model.SearchRequest;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import io.vermilion.record.Record;
import io.vermilion.testing.Seeds;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.SmallFloat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * BM25 over {@code #document} ({@link Bm25Candidates} through {@link SearchExecutor}) against a brute force that
 * re-derives Lucene's BM25Similarity (k1 1.2, b 0.75, one-byte length norms, float arithmetic per term, terms summed
 * in double) from the records themselves, over a compacted version plus a log tail of new records: the same ids in
 * the same order and the same float scores, alone, filtered, and composed by RRF with a dense {@code $knn}.
 */
@ExtendWith(Seeds.class)
class Bm25CandidatesDifferentialTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] WORDS = {"apt", "debian", "kernel", "python", "library", "tool", "daemon", "gnome",
        "font", "audio", "video", "network", "server", "client", "perl", "ruby", "shell", "editor", "game", "data",
        "xml", "image", "docs", "dev", "java"};
    private static final String[] FILTERS = {null, "{\"g\": 0}", "{\"g\": {\"$ne\": 1}}",
        "{\"#document\": {\"$contains\": \"a\"}}", "{\"#id\": {\"$in\": [\"r1\", \"r3\", \"r5\", \"r8\", \"r13\"]}}"};

    private record Live(Record record, long sequence) {}

    private record Scored(Live live, float score) {}

    @Test
    void bm25SearchEqualsBruteForceOverVersionAndTail() throws Exception {
        long seed = Seeds.seed("bm25SearchEqualsBruteForceOverVersionAndTail");
        Random random = new Random(seed);
        for (int round = 0; round < 30; round++) {
            runRound(random, round, Seeds.replay(seed));
        }
    }

    private void runRound(Random random, int round, String replay) throws Exception {
        int compactedCount = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(60);
        List<Live> live = new ArrayList<>();
        List<Record> compacted = new ArrayList<>();
        for (int i = 0; i < compactedCount; i++) {
            Record r = randomRecord(random, "r" + i);
            compacted.add(r);
            live.add(new Live(r, i));
        }
        Directory directory = new ByteBuffersDirectory();
        CollectionIndexWriter.write(directory, IndexSchema.defaults(DistanceFunction.L2, compacted), compacted);
        try (IndexedCollectionReader version = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
            CollectionTail tail = new CollectionTail(version);
            List<LogRecord> adds = new ArrayList<>();
            int tailCount = random.nextInt(25);
            for (int i = 0; i < tailCount; i++) {
                Record r = randomRecord(random, "r" + (compactedCount + i));
                adds.add(new LogRecord(Operation.ADD, r.id(), r.embedding(), r.metadata(), r.document(), null));
                live.add(new Live(r, compactedCount + i));
            }
            tail.apply(adds, compactedCount);
            version.tryRetain();
            try (CollectionView view = new CollectionView(version, 1, tail.view())) {
                for (int s = 0; s < 10; s++) {
                    String filterJson = FILTERS[random.nextInt(FILTERS.length)];
                    Where filter = filterJson == null ? null : WhereParser.parse(JSON.readTree(filterJson));
                    String text = randomText(random, 1 + random.nextInt(4));
                    int limit = 1 + random.nextInt(random.nextBoolean() ? 5 : 40);
                    String context = "round " + round + " search " + s + " text '" + text + "' filter " + filterJson
                            + " limit " + limit + "; " + replay;
                    List<Scored> expected = bruteForce(live, text, filter, limit);
                    List<SearchHit> actual = SearchExecutor.search(view, new SearchRequest(filter,
                            RankExpr.Knn.text(text, limit, null, false), null, 0, null, DistanceFunction.L2, 0, false));
                    assertEquals(expected.stream().map(e -> e.live.record().id()).toList(),
                            actual.stream().map(h -> h.record().id()).toList(), context);
                    assertEquals(expected.stream().map(e -> -e.score).toList(),
                            actual.stream().map(SearchHit::score).toList(), context);

                    float[] point = point(random);
                    List<SearchHit> fused = SearchExecutor.search(view, new SearchRequest(filter, rrf(point, text),
                            null, 0, 10, DistanceFunction.L2, 0, false));
                    List<String> fusedExpected = bruteForceRrf(live, point, text, filter);
                    assertEquals(fusedExpected, fused.stream().map(h -> h.record().id() + "=" + h.score()).toList(),
                            context + " rrf");
                }
            }
        }
    }

    /** RRF (k 60, both legs limit 30, rank default 1000) as the clients compile it: -(1/(60+r1) + 1/(60+r2)). */
    private static RankExpr rrf(float[] point, String text) {
        RankExpr dense = new RankExpr.Knn(point, 30, 1000f, true);
        RankExpr bm25 = RankExpr.Knn.text(text, 30, 1000f, true);
        return new RankExpr.Mul(List.of(new RankExpr.Value(-1f), new RankExpr.Sum(List.of(
                new RankExpr.Div(new RankExpr.Value(1f), new RankExpr.Sum(List.of(new RankExpr.Value(60f), dense))),
                new RankExpr.Div(new RankExpr.Value(1f), new RankExpr.Sum(List.of(new RankExpr.Value(60f), bm25)))))));
    }

    private static List<String> bruteForceRrf(List<Live> live, float[] point, String text, Where filter) {
        List<Live> passing = live.stream().filter(l -> filter == null || filter.matches(l.record())).toList();
        List<Live> dense = new ArrayList<>(passing);
        dense.sort(Comparator.<Live>comparingDouble(l -> DistanceFunction.L2.distance(point, l.record().embedding()))
                .thenComparingLong(Live::sequence));
        dense = dense.subList(0, Math.min(30, dense.size()));
        List<Scored> bm25 = bruteForce(live, text, filter, 30);
        Map<String, Float> denseRank = new HashMap<>();
        for (int i = 0; i < dense.size(); i++) {
            denseRank.put(dense.get(i).record().id(), (float) i);
        }
        Map<String, Float> textRank = new HashMap<>();
        for (int i = 0; i < bm25.size(); i++) {
            textRank.put(bm25.get(i).live.record().id(), (float) i);
        }
        List<Scored> fused = new ArrayList<>();
        for (Live l : passing) {
            String id = l.record().id();
            if (!denseRank.containsKey(id) && !textRank.containsKey(id)) {
                continue;
            }
            float sum = 0f + 1f / (60f + denseRank.getOrDefault(id, 1000f));
            sum = sum + 1f / (60f + textRank.getOrDefault(id, 1000f));
            fused.add(new Scored(l, 1f * -1f * sum));
        }
        fused.sort(Comparator.<Scored>comparingDouble(s -> s.score).thenComparingLong(s -> s.live.sequence));
        return fused.stream().limit(10).map(s -> s.live.record().id() + "=" + s.score).toList();
    }

    /** BM25 from first principles over the live records, best first (ties by insertion), at most {@code limit}. */
    private static List<Scored> bruteForce(List<Live> live, String text, Where filter, int limit) {
        Set<String> queryTerms = new LinkedHashSet<>(tokens(text));
        long docCount = 0;
        long sumTotalTermFreq = 0;
        Map<String, Long> docFreq = new HashMap<>();
        for (Live l : live) {
            List<String> tokens = l.record().document() == null ? List.of() : tokens(l.record().document());
            if (tokens.isEmpty()) {
                continue;
            }
            docCount++;
            sumTotalTermFreq += tokens.size();
            new LinkedHashSet<>(tokens).forEach(t -> docFreq.merge(t, 1L, Long::sum));
        }
        float avgdl = (float) (sumTotalTermFreq / (double) docCount);
        List<Scored> scored = new ArrayList<>();
        for (Live l : live) {
            if (l.record().document() == null || (filter != null && !filter.matches(l.record()))) {
                continue;
            }
            List<String> tokens = tokens(l.record().document());
            float length = SmallFloat.byte4ToInt(SmallFloat.intToByte4(tokens.size()));
            float normInverse = 1f / (1.2f * ((1 - 0.75f) + 0.75f * length / avgdl));
            double sum = 0;
            boolean any = false;
            for (String term : queryTerms) {
                long freq = tokens.stream().filter(term::equals).count();
                if (freq == 0) {
                    continue;
                }
                long n = docFreq.get(term);
                float idf = (float) Math.log(1 + (docCount - n + 0.5D) / (n + 0.5D));
                sum += idf - idf / (1f + freq * normInverse);
                any = true;
            }
            if (any) {
                scored.add(new Scored(l, (float) sum));
            }
        }
        scored.sort(Comparator.<Scored>comparingDouble(s -> -s.score).thenComparingLong(s -> s.live.sequence));
        return scored.subList(0, Math.min(limit, scored.size()));
    }

    /** The analysis of these texts (ASCII words, punctuation, case): lower-cased runs of letters. */
    private static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        for (String t : text.toLowerCase(java.util.Locale.ROOT).split("[^a-z]+")) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    private static Record randomRecord(Random random, String id) {
        Map<String, MetadataValue> metadata = Map.of("g", new MetadataValue.Int(random.nextInt(3)));
        String document = switch (random.nextInt(10)) {
            case 0 -> null;
            case 1 -> random.nextBoolean() ? "" : "... !";
            default -> randomText(random, random.nextInt(4) == 0 ? 30 + random.nextInt(60) : 1 + random.nextInt(12));
        };
        return new Record(id, point(random), metadata, document, null);
    }

    /** Words drawn with a skew (low indexes common), some capitalised, with punctuation between. */
    private static String randomText(Random random, int words) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < words; i++) {
            String word = WORDS[Math.min(random.nextInt(WORDS.length), random.nextInt(WORDS.length))];
            out.append(random.nextInt(5) == 0 ? word.toUpperCase(java.util.Locale.ROOT) : word);
            out.append(random.nextInt(4) == 0 ? ", " : " ");
        }
        return out.toString();
    }

    private static float[] point(Random random) {
        return new float[] {random.nextInt(7) - 3, random.nextInt(7) - 3};
    }
}
