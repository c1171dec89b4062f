// peak_probe: times long runs of independent multiply-add chains on every core to measure the CPU's peak rate for
// fp32 FMA (VFMADD231PS zmm: 16 lanes x 2 FLOP), bf16 dot products (VDPBF16PS zmm: 16 lanes x 2 pairs x 2 FLOP) and
// int8 dot products (VPDPBUSD zmm: 16 lanes x 4 pairs x 2 ops). Prints one JSON line.
//
//   peak_probe [threads] [seconds-per-kernel]
//
// Each thread runs kChains independent accumulators, enough to hide the instructions' latency on two pipes, so the
// result is the throughput bound the benchmarks compare model FLOP rates with.
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kChains = 12;
constexpr long kInnerIterations = 1 << 16;

using Clock = std::chrono::steady_clock;

// The volatile seeds keep the compiler from folding the chains into constants.
volatile float g_seed = 1.0f;
volatile int g_iseed = 1;

__attribute__((target("avx512f,fma"))) double Fp32Kernel(long outer) {
  __m512 acc[kChains];
  for (auto& a : acc) a = _mm512_set1_ps(g_seed);
  const __m512 x = _mm512_set1_ps(0.999999f);
  const __m512 y = _mm512_set1_ps(1e-7f);
  for (long o = 0; o < outer; ++o) {
    for (long i = 0; i < kInnerIterations; ++i) {
#pragma GCC unroll 12
      for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], x, y);
    }
  }
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
  return _mm512_reduce_add_ps(sum);
}

__attribute__((target("avx512f,avx512bf16"))) double Bf16Kernel(long outer) {
  __m512 acc[kChains];
  for (auto& a : acc) a = _mm512_set1_ps(g_seed);
  const __m512bh x = (__m512bh)_mm512_set1_epi32(0x3f803f80);  // pairs of bf16 1.0
  const __m512bh y = (__m512bh)_mm512_set1_epi32(0x33d633d6);  // pairs of bf16 ~1e-7
  for (long o = 0; o < outer; ++o) {
    for (long i = 0; i < kInnerIterations; ++i) {
#pragma GCC unroll 12
      for (int c = 0; c < kChains; ++c) acc[c] = _mm512_dpbf16_ps(acc[c], x, y);
    }
  }
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
  return _mm512_reduce_add_ps(sum);
}

__attribute__((target("avx512f,avx512vnni"))) double Int8Kernel(long outer) {
  __m512i acc[kChains];
  for (auto& a : acc) a = _mm512_set1_epi32(g_iseed);
  const __m512i x = _mm512_set1_epi8(1);
  const __m512i y = _mm512_set1_epi8(1);
  for (long o = 0; o < outer; ++o) {
    for (long i = 0; i < kInnerIterations; ++i) {
#pragma GCC unroll 12
      for (int c = 0; c < kChains; ++c) acc[c] = _mm512_dpbusd_epi32(acc[c], x, y);
    }
  }
  __m512i sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_epi32(sum, acc[c]);
  return static_cast<double>(_mm512_reduce_add_epi32(sum));
}

struct Kernel {
  const char* name;
  double ops_per_instruction;
  double (*run)(long);
  bool supported;
};

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct Rate {
  double wall;  // total operations per wall-clock second
  double cpu;   // operations per CPU-second of each thread, summed: what the cores do while they run this process
};

// Runs the kernel on `threads` threads started together.
Rate Measure(const Kernel& kernel, int threads, double seconds) {
  // Calibrate the outer count on one thread so one run lasts about `seconds`.
  long outer = 1;
  for (;;) {
    auto start = Clock::now();
    kernel.run(outer);
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (elapsed > seconds / 4) {
      outer = std::max(1L, static_cast<long>(outer * seconds / elapsed));
      break;
    }
    outer *= 2;
  }

  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<double> elapsed(threads);
  std::vector<double> cpu(threads);
  std::vector<double> sink(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load()) {
      }
      auto start = Clock::now();
      double cpu_start = ThreadCpuSeconds();
      sink[t] = kernel.run(outer);
      cpu[t] = ThreadCpuSeconds() - cpu_start;
      elapsed[t] = std::chrono::duration<double>(Clock::now() - start).count();
    });
  }
  while (ready.load() < threads) {
  }
  go.store(true);
  for (auto& w : workers) w.join();

  double slowest = *std::max_element(elapsed.begin(), elapsed.end());
  double ops_per_thread = static_cast<double>(outer) * kInnerIterations * kChains * kernel.ops_per_instruction;
  double cpu_rate = 0;
  for (int t = 0; t < threads; ++t) cpu_rate += ops_per_thread / cpu[t];
  if (sink[0] == 42.4242) std::puts("");  // keeps the results alive
  return {threads * ops_per_thread / slowest, cpu_rate};
}

}  // namespace

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : static_cast<int>(std::thread::hardware_concurrency());
  double seconds = argc > 2 ? std::atof(argv[2]) : 1.0;
  __builtin_cpu_init();
  bool avx512 = __builtin_cpu_supports("avx512f");
  const Kernel kernels[] = {
      {"fp32_fma", 32.0, Fp32Kernel, avx512},
      {"bf16_dot", 64.0, Bf16Kernel, avx512 && __builtin_cpu_supports("avx512bf16")},
      {"int8_dot", 128.0, Int8Kernel, avx512 && __builtin_cpu_supports("avx512vnni")},
  };

  // Per kernel: G operations per wall-clock second on all threads, the same per CPU-second (steadier on a shared
  // machine), and one thread alone.
  std::string json = "{\"threads\":" + std::to_string(threads);
  for (const auto& kernel : kernels) {
    std::string prefix = std::string(",\"") + kernel.name;
    if (!kernel.supported) {
      json += prefix + "_gops\":null" + prefix + "_gops_cpu\":null" + prefix + "_gops_one_thread\":null";
      continue;
    }
    Rate all = Measure(kernel, threads, seconds);
    Rate one = Measure(kernel, 1, seconds);
    json += prefix + "_gops\":" + std::to_string(all.wall / 1e9);
    json += prefix + "_gops_cpu\":" + std::to_string(all.cpu / 1e9);
    json += prefix + "_gops_one_thread\":" + std::to_string(one.wall / 1e9);
  }
  json += "}";
  std::puts(json.c_str());
  return 0;
}
