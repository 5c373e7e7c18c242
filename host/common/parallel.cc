#include "common/parallel.h"

#include <system_error>
#include <thread>
#include <vector>

namespace guardpost {

void RunOnThreads(size_t extra, const std::function<void(size_t worker)>& work) {
  std::vector<std::jthread> threads;
  try {
    for (size_t worker = 1; worker <= extra; ++worker) threads.emplace_back(work, worker);
  } catch (const std::system_error&) {
    // Out of threads: the ones started so far and this one share the work.
  }
  work(0);
}  // the jthreads join here

}  // namespace guardpost
