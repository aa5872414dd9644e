// bench/report.h: what the load generator measures outside its own
// requests (CPU of processes, the server's peak memory) and how it prints
// results.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace weft::bench {

// CPU seconds used so far (user + system).
double ProcessCpuSeconds(int pid);  // from /proc/<pid>/stat; 0 if unreadable
double SelfCpuSeconds();            // this process, all threads

// Busy and total CPU seconds of the whole machine, from /proc/stat.
struct MachineCpu {
  double busy = 0;
  double total = 0;
};
MachineCpu ReadMachineCpu();

// A "VmHWM"-style line of /proc/<pid>/status ("123456 kB"), or "" if unreadable.
std::string ProcStatusField(int pid, const std::string& field);

// Per-thread scheduler times from /proc/<pid>/task/<tid>/schedstat, in
// seconds: on a CPU, and runnable but waiting for one (CPU contention).
struct ThreadTimes {
  int tid = 0;
  double on_cpu = 0;
  double waiting = 0;
};
std::vector<ThreadTimes> ReadThreadTimes(int pid);

// A numeric field of /proc/<pid>/io ("syscw", "write_bytes"), or -1.
int64_t ProcIoField(int pid, const std::string& field);

// Sorts values; the q-quantile (0 < q <= 1) by the nearest-rank method.
double Quantile(std::vector<double>& values, double q);

// "p50 1.23 ms, p99 4.56 ms, max 7.89 ms (n=1000)", or "no samples".
std::string Summary(std::vector<double> values);

}  // namespace weft::bench
