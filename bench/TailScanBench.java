import io.vermilion.executor.CollectionTail;
import io.vermilion.executor.CollectionView;
import io.vermilion.executor.ExactCollectionReader;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.MutableCollectionState;
import io.vermilion.model.QueryRequest;
import io.vermilion.record.LogRecord;
import io.vermilion.record.Operation;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The un-compacted log tail, in process: N records of the real 384-d set applied as the query executor applies log
 * fragments (batches of 100), then cosine top-10 queries over the whole tail, timed per query with (a) the simple
 * scan the tail used before (ExactCollectionReader over the snapshot) and (b) the tail's own search (contiguous
 * vectors, Vector API kernels). Also times taking a view after one more batch, which the old tail paid by rebuilding
 * its snapshot. Usage: TailScanBench DATASET_DIR [N]; run by bench/micro-bench.sh.
 */
public class TailScanBench {

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 30_000;
        float[][] base = read(dir.resolve("base.fvecs"), n);
        float[][] queries = read(dir.resolve("query.fvecs"), 200);
        CollectionTail tail = new CollectionTail(null);
        MutableCollectionState state = new MutableCollectionState();
        long[] applyNanos = new long[1];
        for (int from = 0; from < n; from += 100) {
            List<LogRecord> batch = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + 100); i++) {
                batch.add(new LogRecord(Operation.ADD, Integer.toString(i), base[i], null, null, null));
            }
            long t0 = System.nanoTime();
            tail.apply(batch, from);
            tail.view();
            applyNanos[0] += System.nanoTime() - t0;
            batch.forEach(state::apply);
        }
        CollectionSnapshot snapshot = state.snapshot();
        ExactCollectionReader simple = new ExactCollectionReader(snapshot);
        CollectionView view = new CollectionView(null, 0, tail.view());

        System.out.printf("tail of %,d records × %d; apply + view per batch of 100: %.3f ms%n", n, base[0].length,
                applyNanos[0] / 1e6 / (n / 100.0));
        for (int round = 0; round < 5; round++) {
            System.out.printf("round %d: simple scan %.2f ms/query, tail search %.2f ms/query%n", round,
                    perQuery(simple::query, queries), perQuery(view::query, queries));
        }
        long t0 = System.nanoTime();
        int rebuilds = 20;
        for (int r = 0; r < rebuilds; r++) {
            CollectionSnapshot.of(new ArrayList<>(snapshot.records())); // what each old view() copied (plus a sort)
        }
        System.out.printf("old view rebuild (copy + index of %,d records, without its sort): %.2f ms per change%n", n,
                (System.nanoTime() - t0) / 1e6 / rebuilds);
    }

    interface Search {
        Object query(QueryRequest request);
    }

    private static double perQuery(Search search, float[][] queries) {
        long t0 = System.nanoTime();
        int hits = 0;
        for (float[] q : queries) {
            Object result = search.query(new QueryRequest(List.of(q), 10, null, null, null, DistanceFunction.COSINE));
            hits += result.hashCode() == 42 ? 1 : 0;
        }
        return (System.nanoTime() - t0) / 1e6 / queries.length + hits * 0;
    }

    private static float[][] read(Path file, int max) throws IOException {
        List<float[]> out = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            byte[] header = new byte[4];
            while (out.size() < max && in.read(header) == 4) {
                int dim = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt();
                byte[] body = in.readNBytes(dim * 4);
                float[] v = new float[dim];
                ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                out.add(v);
            }
        }
        return out.toArray(new float[0][]);
    }
}
