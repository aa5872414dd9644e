#include "report.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace weft::bench {

double ProcessCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name may hold spaces; the fields after it are positional.
  auto paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

MachineCpu ReadMachineCpu() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  MachineCpu out;
  double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (int i = 0; i < 8; ++i) {
    double v = 0;
    if (!(in >> v)) break;
    out.total += v / tick;
    if (i != 3 && i != 4) out.busy += v / tick;  // 3: idle, 4: iowait
  }
  return out;
}

namespace {

std::string ProcField(const std::string& path, const std::string& field) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      std::string value = line.substr(field.size() + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      return value;
    }
  }
  return "";
}

}  // namespace

std::string ProcStatusField(int pid, const std::string& field) {
  return ProcField("/proc/" + std::to_string(pid) + "/status", field);
}

std::vector<ThreadTimes> ReadThreadTimes(int pid) {
  std::vector<ThreadTimes> out;
  std::error_code ec;
  auto dir = std::filesystem::path("/proc") / std::to_string(pid) / "task";
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::ifstream in(entry.path() / "schedstat");
    double on_cpu_ns = 0, waiting_ns = 0;
    if (!(in >> on_cpu_ns >> waiting_ns)) continue;
    out.push_back({std::stoi(entry.path().filename().string()), on_cpu_ns / 1e9, waiting_ns / 1e9});
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.tid < b.tid; });
  return out;
}

int64_t ProcIoField(int pid, const std::string& field) {
  std::string value = ProcField("/proc/" + std::to_string(pid) + "/io", field);
  return value.empty() ? -1 : std::stoll(value);
}

double Quantile(std::vector<double>& values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

std::string Summary(std::vector<double> values) {
  if (values.empty()) return "no samples";
  char text[160];
  double p50 = Quantile(values, 0.5);
  double p99 = Quantile(values, 0.99);
  std::snprintf(text, sizeof text, "p50 %.2f ms, p99 %.2f ms, max %.2f ms (n=%zu)", p50, p99,
                values.back(), values.size());
  return text;
}

}  // namespace weft::bench
