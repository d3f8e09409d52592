#include "imcosim/spice/worker_pool.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <clocale>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

namespace imcosim::spice {
namespace {

using std::chrono::milliseconds;

// Shortest round-trip text, independent of the process locale (std::to_string is not).
std::string spice_number(double value) {
  std::array<char, 32> text{};
  const auto [end, error] = std::to_chars(text.data(), text.data() + text.size(), value);
  EXPECT_EQ(error, std::errc());
  return std::string(text.data(), end);
}

// v_in -- r_top -- out -- r_bottom -- ground.
SpiceJob divider_job(double v_in_volt, double r_top_ohm, double r_bottom_ohm) {
  SpiceJob job;
  job.netlist_lines = {"resistive divider", "v1 in 0 " + spice_number(v_in_volt),
                       "r1 in out " + spice_number(r_top_ohm),
                       "r2 out 0 " + spice_number(r_bottom_ohm), ".end"};
  job.commands = {"op"};
  job.vector_names = {"v(out)", "i(v1)"};
  return job;
}

double divider_out_volt(double v_in_volt, double r_top_ohm, double r_bottom_ohm) {
  return v_in_volt * r_bottom_ohm / (r_top_ohm + r_bottom_ohm);
}

void expect_relative_near(double actual, double expected, double relative_tolerance) {
  EXPECT_LE(std::abs(actual - expected), relative_tolerance * std::abs(expected))
      << "actual " << actual << ", expected " << expected;
}

// Runs the body and returns the SpiceError it throws; fails the test if it throws none.
template <typename Body>
SpiceError expect_spice_error(Body body) {
  try {
    body();
  } catch (const SpiceError& error) {
    return error;
  }
  ADD_FAILURE() << "expected a SpiceError";
  return SpiceError(ErrorKind::runtime, "none thrown");
}

void expect_divider_works(WorkerPool& pool) {
  const SpiceResult result = pool.run(divider_job(1.0, 1000.0, 3000.0));
  ASSERT_EQ(result.vectors.size(), 2U);
  ASSERT_EQ(result.vectors[0].size(), 1U);
  expect_relative_near(result.vectors[0][0], 0.75, 1e-12);
}

TEST(WorkerPool, OperatingPointOfDividerMatchesHandCalculation) {
  WorkerPool pool(WorkerPoolOptions{});
  const SpiceResult result = pool.run(divider_job(1.5, 1000.0, 3000.0));

  ASSERT_EQ(result.vectors.size(), 2U);
  ASSERT_EQ(result.vectors[0].size(), 1U);
  ASSERT_EQ(result.vectors[1].size(), 1U);
  expect_relative_near(result.vectors[0][0], divider_out_volt(1.5, 1000.0, 3000.0), 1e-12);
  // The source's branch current flows from + through the source, hence negative.
  expect_relative_near(result.vectors[1][0], -1.5 / 4000.0, 1e-12);
  EXPECT_FALSE(result.messages.empty());
}

TEST(WorkerPool, DcSweepReturnsOnePointPerSweepValue) {
  WorkerPool pool(WorkerPoolOptions{});
  SpiceJob job;
  job.netlist_lines = {"dc sweep",    "v1 in 0 0",      "r1 in out 1k",
                       "r2 out 0 3k", ".dc v1 0 1 0.1", ".end"};
  job.commands = {"run"};
  job.vector_names = {"v-sweep", "v(out)"};
  const SpiceResult result = pool.run(job);

  ASSERT_EQ(result.vectors.size(), 2U);
  ASSERT_EQ(result.vectors[0].size(), 11U);
  ASSERT_EQ(result.vectors[1].size(), 11U);
  for (std::size_t k = 0; k < 11; ++k) {
    EXPECT_NEAR(result.vectors[0][k], 0.1 * static_cast<double>(k), 1e-12);
    EXPECT_NEAR(result.vectors[1][k], 0.75 * result.vectors[0][k], 1e-12);
  }
}

TEST(WorkerPool, UndefinedModelIsBadInputWithNgspiceText) {
  WorkerPool pool(WorkerPoolOptions{});
  SpiceJob job;
  job.netlist_lines = {"undefined model", "v1 in 0 1", "d1 in 0 nosuchmodel", ".end"};
  job.commands = {"op"};
  job.vector_names = {"v(in)"};

  const SpiceError error = expect_spice_error([&] { pool.run(job); });
  EXPECT_EQ(error.kind(), ErrorKind::bad_input);
  EXPECT_NE(std::string(error.what()).find("could not find a valid modelname"), std::string::npos)
      << error.what();
  EXPECT_FALSE(error.ngspice_messages().empty());
  expect_divider_works(pool);
}

TEST(WorkerPool, BadElementLineIsBadInputWithNgspiceText) {
  WorkerPool pool(WorkerPoolOptions{});
  SpiceJob job;
  job.netlist_lines = {"bad element", "v1 in 0 1", "r1 in 0 notanumber", ".end"};
  job.commands = {"op"};
  job.vector_names = {"v(in)"};

  const SpiceError error = expect_spice_error([&] { pool.run(job); });
  EXPECT_EQ(error.kind(), ErrorKind::bad_input);
  EXPECT_NE(std::string(error.what()).find("unknown parameter (notanumber)"), std::string::npos)
      << error.what();
  expect_divider_works(pool);
}

TEST(WorkerPool, FailedConvergenceIsBadInput) {
  WorkerPool pool(WorkerPoolOptions{});
  SpiceJob job;
  // Two ideal sources in parallel with different voltages: no operating point exists.
  job.netlist_lines = {"source loop", "v1 in 0 1", "v2 in 0 2", ".end"};
  job.commands = {"op"};
  job.vector_names = {"v(in)"};

  const SpiceError error = expect_spice_error([&] { pool.run(job); });
  EXPECT_EQ(error.kind(), ErrorKind::bad_input);
  EXPECT_NE(std::string(error.what()).find("timestep too small"), std::string::npos)
      << error.what();
}

TEST(WorkerPool, MissingVectorIsAnError) {
  WorkerPool pool(WorkerPoolOptions{});
  SpiceJob job = divider_job(1.0, 1000.0, 3000.0);
  job.vector_names = {"v(out)", "v(no_such_node)"};

  const SpiceError error = expect_spice_error([&] { pool.run(job); });
  EXPECT_EQ(error.kind(), ErrorKind::bad_input);
  EXPECT_NE(std::string(error.what()).find("v(no_such_node)"), std::string::npos) << error.what();
  expect_divider_works(pool);
}

TEST(WorkerPool, HarmlessWarningsDoNotFailAJob) {
  WorkerPool pool(WorkerPoolOptions{});
  SpiceJob job = divider_job(1.0, 1000.0, 3000.0);
  // A floating node draws "Warning: singular matrix" but gmin stepping recovers.
  job.netlist_lines.insert(job.netlist_lines.end() - 1, "r3 floating_a floating_b 1k");

  const SpiceResult result = pool.run(job);
  expect_relative_near(result.vectors[0][0], 0.75, 1e-9);
}

TEST(WorkerPool, CrashedWorkerIsReportedWithItsSignalAndReplaced) {
  WorkerPool pool(WorkerPoolOptions{});
  SpiceJob job = divider_job(1.0, 1000.0, 3000.0);
  // ngspice's "shell" runs /bin/sh, whose parent is the worker. ngspice substitutes "$NAME"
  // from its own variables; "$$" became "$" up to ngspice 39 (the shell then receives
  // "kill -9 $PPID") and is ngspice's own process id since (the first command kills the worker
  // there, and fails harmlessly in 39).
  job.commands = {"shell kill -9 $$", "shell kill -9 $$PPID", "op"};

  const SpiceError error = expect_spice_error([&] { pool.run(job); });
  EXPECT_EQ(error.kind(), ErrorKind::runtime);
  EXPECT_NE(std::string(error.what()).find("SIGKILL"), std::string::npos) << error.what();
  expect_divider_works(pool);
}

TEST(WorkerPool, OutputKeptFromARunIsBoundedAndTheRestCounted) {
  WorkerPool pool(WorkerPoolOptions{});
  SpiceJob job = divider_job(1.0, 1000.0, 3000.0);
  // 4 MB of echoed lines, then the analysis: the job succeeds, its kept output stays near 1 MiB.
  const std::string line(200, 'x');
  job.commands.assign(20000, "echo " + line);
  job.commands.push_back("op");
  const SpiceResult result = pool.run(job);
  std::size_t kept_bytes = 0;
  for (const auto& message : result.messages) {
    kept_bytes += message.size();
  }
  EXPECT_LE(kept_bytes, (std::size_t{1} << 20) + 200);
  EXPECT_GT(kept_bytes, std::size_t{1} << 19);
  ASSERT_FALSE(result.messages.empty());
  EXPECT_NE(result.messages.back().find("further lines of ngspice output were not kept"),
            std::string::npos)
      << result.messages.back();
  expect_relative_near(result.vectors[0].at(0), divider_out_volt(1.0, 1000.0, 3000.0), 1e-9);
}

TEST(WorkerPool, AWorkerBeyondItsMemoryLimitFailsAloneAndSaysSo) {
  if (IMCOSIM_SANITIZED) {
    GTEST_SKIP() << "AddressSanitizer's shadow memory leaves no address-space limit to set";
  }
  WorkerPool pool(WorkerPoolOptions{.worker_memory_bytes = 1'000'000'000});
  SpiceJob job = divider_job(1.0, 1000.0, 3000.0);
  // 4 GB of doubles in one ngspice vector: far beyond the worker's 1 GB of address space.
  job.commands = {"let huge = vector(500000000)", "op"};
  const SpiceError error = expect_spice_error([&] { pool.run(job); });
  EXPECT_EQ(error.kind(), ErrorKind::runtime) << error.what();
  EXPECT_NE(std::string(error.what()).find("1.0 GB of address space"), std::string::npos)
      << error.what();
  expect_divider_works(pool);
}

TEST(WorkerPool, HungWorkerIsKilledAtTheTimeOutAndReplaced) {
  WorkerPool pool(WorkerPoolOptions{.worker_count = 1, .job_timeout = milliseconds(1000)});
  SpiceJob job = divider_job(1.0, 1000.0, 3000.0);
  job.commands = {"shell sleep 30", "op"};

  const auto start = std::chrono::steady_clock::now();
  const SpiceError error = expect_spice_error([&] { pool.run(job); });
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(error.kind(), ErrorKind::runtime);
  EXPECT_NE(std::string(error.what()).find("time-out"), std::string::npos) << error.what();
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  expect_divider_works(pool);
}

// Time-outs so short that they fire while freshly forked workers are still starting up, on
// several job threads at once: every worker must be killed all the same, also one that has not
// yet run far enough to make itself a process-group leader, or the pool would wait for it.
TEST(WorkerPool, TimeOutsWhileWorkersStartStillKillThem) {
  WorkerPool pool(WorkerPoolOptions{.worker_count = 2, .job_timeout = milliseconds(1)});
  SpiceJob job = divider_job(1.0, 1000.0, 3000.0);
  job.commands = {"shell sleep 1", "op"};
  const std::vector<SpiceJob> jobs(4, job);
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < 25; ++round) {
    for (auto& outcome : pool.run_all(jobs)) {
      ASSERT_TRUE(std::holds_alternative<SpiceError>(outcome));
      EXPECT_NE(std::string(std::get<SpiceError>(outcome).what()).find("time-out"),
                std::string::npos)
          << std::get<SpiceError>(outcome).what();
    }
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

TEST(WorkerPool, ControlledExitIsRuntimeErrorAndWorkerIsReplaced) {
  WorkerPool pool(WorkerPoolOptions{});
  SpiceJob job = divider_job(1.0, 1000.0, 3000.0);
  job.commands = {"quit"};

  const SpiceError error = expect_spice_error([&] { pool.run(job); });
  EXPECT_EQ(error.kind(), ErrorKind::runtime);
  EXPECT_NE(std::string(error.what()).find("controlled exit"), std::string::npos) << error.what();
  expect_divider_works(pool);
}

TEST(WorkerPool, RunAllKeepsJobOrderAndIsolatesABadJob) {
  WorkerPool pool(WorkerPoolOptions{.worker_count = 2});
  std::vector<SpiceJob> jobs;
  for (int k = 0; k < 8; ++k) {
    jobs.push_back(divider_job(1.0, 1000.0, 1000.0 * (k + 1)));
  }
  jobs[3].netlist_lines[3] = "r2 out 0 notanumber";

  const auto outcomes = pool.run_all(jobs);

  ASSERT_EQ(outcomes.size(), jobs.size());
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    if (k == 3) {
      ASSERT_TRUE(std::holds_alternative<SpiceError>(outcomes[k]));
      EXPECT_EQ(std::get<SpiceError>(outcomes[k]).kind(), ErrorKind::bad_input);
      continue;
    }
    ASSERT_TRUE(std::holds_alternative<SpiceResult>(outcomes[k])) << "job " << k;
    const double r_bottom_ohm = 1000.0 * static_cast<double>(k + 1);
    expect_relative_near(std::get<SpiceResult>(outcomes[k]).vectors[0][0],
                         divider_out_volt(1.0, 1000.0, r_bottom_ohm), 1e-12);
  }
  EXPECT_EQ(pool.worker_resident_bytes().size(), 2U);
}

TEST(WorkerPool, WorkerIsReplacedAfterJobsPerWorker) {
  WorkerPool pool(WorkerPoolOptions{.worker_count = 1, .jobs_per_worker = 2});
  for (int k = 0; k < 5; ++k) {
    expect_divider_works(pool);
  }
  EXPECT_LE(pool.worker_resident_bytes().size(), 1U);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizerBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizerBuild = true;
#else
constexpr bool kAddressSanitizerBuild = false;
#endif
#else
constexpr bool kAddressSanitizerBuild = false;
#endif

TEST(WorkerPool, ResidentMemoryStaysFlatOverAThousandJobs) {
  if (kAddressSanitizerBuild) {
    GTEST_SKIP() << "AddressSanitizer's quarantine keeps freed memory resident";
  }
  constexpr int kWarmUpJobs = 50;
  constexpr int kTotalJobs = 1000;
  // Allocator slack and page-granular accounting; a per-job leak of even 2 KiB exceeds it.
  constexpr std::size_t kMarginBytes = 2U * 1024U * 1024U;
  WorkerPool pool(WorkerPoolOptions{.worker_count = 1, .jobs_per_worker = 2 * kTotalJobs});
  SpiceJob job;
  job.netlist_lines = {"leak probe",  "v1 in 0 1",       "r1 in out 1k",
                       "r2 out 0 3k", ".dc v1 0 1 0.01", ".end"};
  job.commands = {"run"};
  job.vector_names = {"v(out)"};

  for (int k = 0; k < kWarmUpJobs; ++k) {
    pool.run(job);
  }
  const std::vector<std::size_t> after_warm_up = pool.worker_resident_bytes();
  for (int k = kWarmUpJobs; k < kTotalJobs; ++k) {
    pool.run(job);
  }
  const std::vector<std::size_t> after_all = pool.worker_resident_bytes();

  ASSERT_EQ(after_warm_up.size(), 1U);
  ASSERT_EQ(after_all.size(), 1U);
  std::printf("worker VmRSS after %d jobs: %zu bytes; after %d jobs: %zu bytes\n", kWarmUpJobs,
              after_warm_up[0], kTotalJobs, after_all[0]);
  RecordProperty("rss_after_warm_up_bytes", std::to_string(after_warm_up[0]));
  RecordProperty("rss_after_all_bytes", std::to_string(after_all[0]));
  EXPECT_LE(after_all[0], after_warm_up[0] + kMarginBytes);
}

// Restores the process's numeric locale when the test ends.
class NumericLocaleGuard {
 public:
  NumericLocaleGuard() : saved_(std::setlocale(LC_NUMERIC, nullptr)) {}
  ~NumericLocaleGuard() { std::setlocale(LC_NUMERIC, saved_.c_str()); }
  NumericLocaleGuard(const NumericLocaleGuard&) = delete;
  NumericLocaleGuard& operator=(const NumericLocaleGuard&) = delete;

 private:
  std::string saved_;
};

TEST(WorkerPool, NumbersSurviveADecimalCommaLocaleInTheParent) {
  const NumericLocaleGuard guard;
  bool decimal_comma = false;
  for (const char* name : {"de_DE.UTF-8", "de_DE.utf8", "de_DE", "fr_FR.UTF-8", "fr_FR.utf8"}) {
    if (std::setlocale(LC_NUMERIC, name) != nullptr &&
        std::localeconv()->decimal_point == std::string(",")) {
      decimal_comma = true;
      break;
    }
  }
  if (!decimal_comma) {
    GTEST_SKIP() << "no locale with a decimal comma is installed";
  }
  // The pool forks its worker now, so the worker inherits the decimal-comma locale. ngspice's
  // .param evaluator parses with the C library and fails on "1.5k" under a decimal comma unless
  // the worker restores the C numeric locale.
  WorkerPool pool(WorkerPoolOptions{});
  SpiceJob job;
  job.netlist_lines = {"divider with parameters",
                       ".param r_top=1.5k r_bottom={2.5*1000}",
                       "v1 in 0 1.25",
                       "r1 in out {r_top}",
                       "r2 out 0 {r_bottom}",
                       ".end"};
  job.commands = {"op"};
  job.vector_names = {"v(out)"};
  const SpiceResult result = pool.run(job);
  expect_relative_near(result.vectors[0][0], divider_out_volt(1.25, 1500.0, 2500.0), 1e-12);
}

// Children of every thread of this process (the pool forks from a thread of its own).
std::vector<pid_t> children_of_this_process() {
  std::vector<pid_t> children;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream list(task.path() / "children");
    for (pid_t pid = 0; list >> pid;) {
      children.push_back(pid);
    }
  }
  return children;
}

// Gone or a zombie waiting for whoever inherited it.
bool process_has_ended(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content;
  if (!std::getline(stat, content)) {
    return true;
  }
  const std::size_t state_at = content.rfind(')') + 2;
  return state_at >= content.size() || content[state_at] == 'Z' || content[state_at] == 'X';
}

TEST(WorkerPool, WorkersDoNotOutliveTheirParentProcess) {
  int pid_pipe[2] = {-1, -1};
  ASSERT_EQ(pipe(pid_pipe), 0);
  const pid_t owner = fork();
  ASSERT_GE(owner, 0);
  if (owner == 0) {
    // The owner dies without destroying its pool, as a crashed program would.
    close(pid_pipe[0]);
    int exit_status = 1;
    try {
      auto* abandoned_pool = new WorkerPool(WorkerPoolOptions{.worker_count = 2});
      const std::vector<SpiceJob> jobs(2, divider_job(1.0, 1000.0, 3000.0));
      abandoned_pool->run_all(jobs);
      // One worker is busy when the owner dies, so it cannot notice the closed pipe by itself:
      // a transient of 10^12 steps. (A "shell sleep" would leave a process holding the test's
      // output pipe, since only the worker is killed.)
      SpiceJob busy_job;
      busy_job.netlist_lines = {"endless transient", "v1 in 0 sin(0 1 1g)", "r1 in out 1k",
                                "c1 out 0 1p",       ".tran 1p 1",          ".end"};
      busy_job.commands = {"run"};
      std::thread([abandoned_pool, busy_job] { abandoned_pool->run(busy_job); }).detach();
      std::this_thread::sleep_for(milliseconds(300));
      const std::vector<pid_t> workers = children_of_this_process();
      const auto bytes = static_cast<ssize_t>(workers.size() * sizeof(pid_t));
      exit_status =
          write(pid_pipe[1], workers.data(), workers.size() * sizeof(pid_t)) == bytes ? 0 : 1;
    } catch (...) {
      exit_status = 2;
    }
    _exit(exit_status);
  }
  close(pid_pipe[1]);
  std::vector<pid_t> workers(16);
  const ssize_t bytes_read = read(pid_pipe[0], workers.data(), workers.size() * sizeof(pid_t));
  close(pid_pipe[0]);
  int owner_status = 0;
  ASSERT_EQ(waitpid(owner, &owner_status, 0), owner);
  ASSERT_TRUE(WIFEXITED(owner_status) && WEXITSTATUS(owner_status) == 0) << owner_status;
  ASSERT_GT(bytes_read, 0);
  workers.resize(static_cast<std::size_t>(bytes_read) / sizeof(pid_t));
  EXPECT_EQ(workers.size(), 2U);

  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  for (const pid_t worker : workers) {
    while (!process_has_ended(worker) && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(milliseconds(10));
    }
    EXPECT_TRUE(process_has_ended(worker)) << "worker " << worker << " outlived its parent";
  }
}

TEST(WorkerPool, ReportsTheNgspiceVersion) {
  WorkerPool pool(WorkerPoolOptions{});
  const std::string version = ngspice_version(pool);
  ASSERT_FALSE(version.empty());
  EXPECT_TRUE(version[0] >= '0' && version[0] <= '9') << version;
  EXPECT_EQ(ngspice_version(pool), version);
}

// ngspice 42 and later name the matrix solver of each analysis ("Using KLU as Direct Linear
// Solver", "Using SPARSE 1.3 as ..."); ngspice 39 names none and has only Sparse.
bool reported_solver(const SpiceResult& result, std::string_view solver_text) {
  return std::any_of(result.messages.begin(), result.messages.end(), [&](const std::string& line) {
    return line.find("Using " + std::string(solver_text)) != std::string::npos;
  });
}

TEST(WorkerPool, EveryDeckRunsWithKluWhereTheLibraryHasIt) {
  WorkerPool pool(WorkerPoolOptions{});
  const NgspiceInfo info = ngspice_info(pool);
  EXPECT_EQ(info.solver, info.klu_compiled_in ? LinearSolver::klu : LinearSolver::sparse);
  const SpiceResult result = pool.run(divider_job(1.0, 1000.0, 3000.0));
  EXPECT_EQ(reported_solver(result, "KLU"), info.klu_compiled_in);
  expect_relative_near(result.vectors[0][0], 0.75, 1e-12);
}

// The ngspice 39 path: decks without ".options klu" on Sparse 1.3, with the same results.
TEST(WorkerPool, SparseSolverCanBeForced) {
  WorkerPool pool(WorkerPoolOptions{.linear_solver = LinearSolver::sparse});
  EXPECT_EQ(ngspice_info(pool).solver, LinearSolver::sparse);
  const SpiceResult result = pool.run(divider_job(1.0, 1000.0, 3000.0));
  EXPECT_FALSE(reported_solver(result, "KLU"));
  expect_relative_near(result.vectors[0][0], 0.75, 1e-12);
}

TEST(WorkerPool, KluFromALibraryWithoutItIsBadInput) {
  WorkerPool probe(WorkerPoolOptions{});
  const bool klu_compiled_in = ngspice_info(probe).klu_compiled_in;
  WorkerPool pool(WorkerPoolOptions{.linear_solver = LinearSolver::klu});
  if (klu_compiled_in) {
    expect_divider_works(pool);
    EXPECT_EQ(ngspice_info(pool).solver, LinearSolver::klu);
    return;
  }
  const SpiceError error = expect_spice_error([&] { pool.run(divider_job(1.0, 1e3, 3e3)); });
  EXPECT_EQ(error.kind(), ErrorKind::bad_input);
  EXPECT_NE(std::string(error.what()).find("KLU"), std::string::npos) << error.what();
  EXPECT_EQ(expect_spice_error([&] { ngspice_info(pool); }).kind(), ErrorKind::bad_input);
}

TEST(WorkerPool, LinearSolverNamesRoundTrip) {
  for (const LinearSolver solver :
       {LinearSolver::automatic, LinearSolver::klu, LinearSolver::sparse}) {
    EXPECT_EQ(parse_linear_solver(linear_solver_name(solver)), solver);
  }
  EXPECT_EQ(expect_spice_error([] { (void)parse_linear_solver("umfpack"); }).kind(),
            ErrorKind::bad_input);
}

TEST(WorkerPool, RejectsInvalidOptions) {
  const SpiceError error =
      expect_spice_error([] { WorkerPool pool(WorkerPoolOptions{.worker_count = 0}); });
  EXPECT_EQ(error.kind(), ErrorKind::bad_input);
}

}  // namespace
}  // namespace imcosim::spice
