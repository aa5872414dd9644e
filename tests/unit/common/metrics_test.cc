#include "common/metrics.h"

#include <gtest/gtest.h>

namespace weft::metrics {
namespace {

bool Has(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(MetricsTest, CountersRenderWithHelpTypeAndLabels) {
  GetCounter("test_requests_total", "Requests", {{"op", "Start"}, {"status", "200"}}).Add(3);
  GetCounter("test_requests_total", "Requests", {{"op", "Start"}, {"status", "200"}}).Add();
  GetCounter("test_requests_total", "Requests", {{"op", "a\"b"}, {"status", "400"}}).Add();
  std::string text = RenderPrometheus();
  EXPECT_TRUE(Has(text, "# HELP test_requests_total Requests")) << text;
  EXPECT_TRUE(Has(text, "# TYPE test_requests_total counter")) << text;
  EXPECT_TRUE(Has(text, "test_requests_total{op=\"Start\",status=\"200\"} 4")) << text;
  EXPECT_TRUE(Has(text, "test_requests_total{op=\"a\\\"b\",status=\"400\"} 1")) << text;
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Histogram& h = GetHistogram("test_wait_seconds", "Waits");
  h.Observe(0.0001);  // on a bound: counted in that bucket (le)
  h.Observe(0.003);
  h.Observe(100);  // above every bound: only +Inf
  std::string text = RenderPrometheus();
  EXPECT_TRUE(Has(text, "test_wait_seconds_bucket{le=\"0.0001\"} 1")) << text;
  EXPECT_TRUE(Has(text, "test_wait_seconds_bucket{le=\"0.0025\"} 1")) << text;
  EXPECT_TRUE(Has(text, "test_wait_seconds_bucket{le=\"0.005\"} 2")) << text;
  EXPECT_TRUE(Has(text, "test_wait_seconds_bucket{le=\"60\"} 2")) << text;
  EXPECT_TRUE(Has(text, "test_wait_seconds_bucket{le=\"+Inf\"} 3")) << text;
  EXPECT_TRUE(Has(text, "test_wait_seconds_count 3")) << text;
  EXPECT_NEAR(h.sum_seconds(), 100.0031, 1e-6);
}

TEST(MetricsTest, AGaugeIsReadWhileItsHandleLives) {
  double value = 7;
  {
    GaugeHandle a = AddGauge("test_open", "Open things", {{"kind", "x"}}, [&] { return value; });
    GaugeHandle b = AddGauge("test_open", "Open things", {{"kind", "x"}}, [] { return 2.0; });
    EXPECT_TRUE(Has(RenderPrometheus(), "test_open{kind=\"x\"} 9"));
    value = 8;
    GaugeHandle moved = std::move(a);
    EXPECT_TRUE(Has(RenderPrometheus(), "test_open{kind=\"x\"} 10"));
  }
  EXPECT_EQ(RenderPrometheus().find("test_open{"), std::string::npos);
}

}  // namespace
}  // namespace weft::metrics
