package io.vermilion.metrics;

import static io.restassured.RestAssured.given;

import java.util.ArrayList;
import java.util.List;

/** One read of {@code /q/metrics}: finds a series' value by metric name and labels. */
public final class PrometheusScrape {

    private final String text;

    private PrometheusScrape(String text) {
        this.text = text;
    }

    public static PrometheusScrape now() {
        return new PrometheusScrape(given().get("/q/metrics").then().statusCode(200).extract().asString());
    }

    public String text() {
        return text;
    }

    /**
     * The value of the one series named {@code name} that has every {@code label="value"} given (as alternating
     * label, value arguments); 0 when there is none yet (a meter created on first use). Fails if several match.
     */
    public double value(String name, String... labels) {
        List<Double> found = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            int exemplar = line.indexOf(" # ");
            String sample = exemplar >= 0 ? line.substring(0, exemplar) : line;
            int space = sample.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String series = sample.substring(0, space);
            int brace = series.indexOf('{');
            String metric = brace >= 0 ? series.substring(0, brace) : series;
            if (!metric.equals(name)) {
                continue;
            }
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) {
                all &= series.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (all) {
                found.add(Double.parseDouble(sample.substring(space + 1)));
            }
        }
        if (found.size() > 1) {
            throw new AssertionError(found.size() + " series match " + name + " " + List.of(labels));
        }
        return found.isEmpty() ? 0 : found.getFirst();
    }
}
