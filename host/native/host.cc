#include "native/host.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/logging.h"
#include "common/rule_files.h"
#include "common/today.h"
#include "native/session.h"

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#else
#include <signal.h>
#include <unistd.h>
#endif

namespace guardpost {
namespace {

// Chrome sends at most 64 MiB to a host, so a longer length means we lost our place in the stream:
// what follows is the middle of some message, and no length read from it can be trusted.
constexpr uint64_t kMaxFrameBytes = 64 * 1024 * 1024;

constexpr int kStdin = 0;
constexpr int kStdout = 1;

#ifdef _WIN32
long ReadSome(char* data, size_t size) {
  return _read(kStdin, data, static_cast<unsigned>(std::min<size_t>(size, 1 << 30)));
}
long WriteSome(const char* data, size_t size) {
  return _write(kStdout, data, static_cast<unsigned>(std::min<size_t>(size, 1 << 30)));
}
#else
ssize_t ReadSome(char* data, size_t size) { return ::read(kStdin, data, size); }
ssize_t WriteSome(const char* data, size_t size) { return ::write(kStdout, data, size); }
#endif

enum class ReadResult {
  kOk,
  kEof,        // the stream ended before the first byte
  kTruncated,  // the stream ended after some bytes but before all
  kError,
};

// Pipes hand over whatever they hold, so one frame may take many reads; signals interrupt them.
ReadResult ReadExact(char* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    const auto n = ReadSome(data + done, size - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n == 0) {
      return done == 0 ? ReadResult::kEof : ReadResult::kTruncated;
    } else if (errno != EINTR) {
      return ReadResult::kError;
    }
  }
  return ReadResult::kOk;
}

// Reads and drops `size` bytes without holding them, so that the next frame can be read.
ReadResult Discard(uint64_t size) {
  char buffer[64 * 1024];
  while (size > 0) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(size, sizeof buffer));
    const ReadResult result = ReadExact(buffer, chunk);
    if (result != ReadResult::kOk) {
      return result == ReadResult::kEof ? ReadResult::kTruncated : result;
    }
    size -= chunk;
  }
  return ReadResult::kOk;
}

bool WriteAll(const char* data, size_t size) {
  while (size > 0) {
    const auto n = WriteSome(data, size);
    if (n > 0) {
      data += n;
      size -= static_cast<size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      return false;
    }
  }
  return true;
}

// One write per frame: the browser never sees a header without its body for long.
bool WriteFrame(std::string_view body) {
  const auto length = static_cast<uint32_t>(body.size());
  std::string frame(sizeof length, '\0');
  std::memcpy(frame.data(), &length, sizeof length);
  frame.append(body);
  return WriteAll(frame.data(), frame.size());
}

void LogCaller(int argc, char** argv) {
  // Chrome on Windows adds --parent-window=N; look for the origin wherever it is.
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("chrome-extension://")) {
      spdlog::info("started by a Chromium browser for {}", arg);
      return;
    }
  }
  const std::string_view first = argc > 1 ? argv[1] : "";
  if (argc > 2 && first.ends_with(".json")) {
    spdlog::info("started by Firefox for {} (manifest {})", argv[2], first);
  } else {
    spdlog::info("started by hand ({} argument(s))", argc > 0 ? argc - 1 : 0);
  }
}

int Finish(int status, uint64_t requests, std::chrono::steady_clock::time_point started) {
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("exiting with status {} after {} request(s) in {:.1f} s", status, requests, seconds);
  spdlog::default_logger()->flush();
  return status;
}

}  // namespace

int RunNativeHost(int argc, char** argv) {
#ifdef _WIN32
  // Text mode would turn \n into \r\n inside frames and stop reading at a 0x1A byte.
  _setmode(_fileno(stdin), _O_BINARY);
  _setmode(_fileno(stdout), _O_BINARY);
#else
  // When the browser is gone a write must fail with EPIPE so that we log and exit, not die
  // silently.
  signal(SIGPIPE, SIG_IGN);
#endif
  // Before anything logs: spdlog's default logger would write to stdout, into the frames.
  SetUpLogging();
  const auto started = std::chrono::steady_clock::now();
  LogCaller(argc, argv);

  Session session(LoadBuiltinLayer(), LoadSystemLayer(), LocalDateToday);
  spdlog::info("ready in {:.1f} ms", MillisecondsSince(started));
  // The first request is normally hello, which needs only the parsed rules. Once it is answered,
  // the patterns compile on a thread of their own while the employee starts typing, rather than
  // competing with the hello for a busy machine's cores; and so do those of each engine a
  // rules.update brings. A check that comes first compiles them.
  std::jthread prepare;  // assigning a new thread waits for the one before
  std::weak_ptr<const Engine> prepared;
  auto prepare_ahead = [&] {
    const std::shared_ptr<const Engine> engine = session.engine();
    if (prepared.lock() == engine) return;
    prepared = engine;
    try {
      prepare = std::jthread([engine, started] {
        try {
          engine->Prepare();
          spdlog::info("patterns compiled {:.1f} ms after start", MillisecondsSince(started));
        } catch (const std::exception&) {  // out of memory, say: an escape would end the host
          spdlog::error("compiling patterns ahead failed; the first check will try again");
        }
      });
    } catch (const std::system_error& e) {
      spdlog::warn("no thread to compile patterns ahead ({}); the first check will", e.what());
    }
  };

  uint64_t requests = 0;
  // Waits for the patterns being compiled ahead, so that their log line comes before the last.
  auto finish = [&](int status) {
    if (prepare.joinable()) prepare.join();
    return Finish(status, requests, started);
  };
  std::string body;
  for (;; ++requests) {
    char header[4];
    switch (ReadExact(header, sizeof header)) {
      case ReadResult::kOk:
        break;
      case ReadResult::kEof:
        spdlog::info("stdin closed");
        return finish(0);
      case ReadResult::kTruncated:
        spdlog::warn("stdin closed inside a frame header");
        return finish(0);
      case ReadResult::kError:
        spdlog::error("cannot read stdin: {}", std::strerror(errno));
        return finish(1);
    }
    uint32_t length = 0;
    std::memcpy(&length, header, sizeof length);

    std::string reply;
    if (length == 0) {
      spdlog::warn("empty frame");
      reply = ErrorReply("null", "invalid_json", "the frame is empty");
    } else if (length > kMaxFrameBytes) {
      spdlog::error("frame length {} is over {}: the stream is out of step", length,
                    kMaxFrameBytes);
      WriteFrame(ErrorReply("null", "stream_corrupt",
                            "a frame length of " + std::to_string(length) +
                                " bytes is more than any browser sends; the stream cannot be "
                                "read any further"));
      return finish(1);
    } else if (length > kMaxRequestBytes) {
      spdlog::warn("frame of {} bytes is over the limit; discarding it", length);
      const ReadResult result = Discard(length);
      if (result != ReadResult::kOk) {
        spdlog::warn("stdin closed or failed inside a discarded frame");
        return finish(result == ReadResult::kError ? 1 : 0);
      }
      reply = ErrorReply("null", "frame_too_large",
                         "the request is " + std::to_string(length) + " bytes; the limit is " +
                             std::to_string(kMaxRequestBytes));
    } else {
      body.resize(length);
      const ReadResult result = ReadExact(body.data(), length);
      if (result != ReadResult::kOk) {
        spdlog::warn("stdin closed or failed inside a frame of {} bytes", length);
        return finish(result == ReadResult::kError ? 1 : 0);
      }
      try {
        reply = session.Handle(body);
      } catch (const std::exception&) {  // std::bad_alloc, in practice
        spdlog::error("request of {} bytes failed with an exception", length);
        reply = ErrorReply("null", "internal", "the host ran out of resources");
      }
    }

    if (!WriteFrame(reply)) {
      spdlog::error("cannot write a reply: {}", std::strerror(errno));
      return finish(1);
    }
    prepare_ahead();
  }
}

}  // namespace guardpost
