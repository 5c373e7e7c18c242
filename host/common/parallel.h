// Spreading independent work over the machine's cores, for the front ends (the core library
// starts no threads of its own).

#ifndef GUARDPOST_COMMON_PARALLEL_H_
#define GUARDPOST_COMMON_PARALLEL_H_

#include <cstddef>
#include <functional>

namespace guardpost {

// Calls work(0) on the calling thread and work(1) ... work(extra) on threads of their own, and
// returns when every call has returned. The calls share the work between them (each claims items
// from a shared counter, say), so a thread that cannot be started, because of a process or
// cgroup limit, only means fewer workers.
void RunOnThreads(size_t extra, const std::function<void(size_t worker)>& work);

}  // namespace guardpost

#endif  // GUARDPOST_COMMON_PARALLEL_H_
