// The native messaging host: what `guardpost` does when a browser starts it.
//
// Browsers start the program with their own arguments: Chrome passes the caller's origin
// ("chrome-extension://ID/", and "--parent-window=N" on Windows), Firefox passes the path of the
// host manifest and the add-on id. `guardpost host` starts the same loop by hand, for tests.

#ifndef GUARDPOST_NATIVE_HOST_H_
#define GUARDPOST_NATIVE_HOST_H_

namespace guardpost {

// Serves length-prefixed JSON requests on stdin with replies on stdout (docs/protocol.md) until
// stdin ends. `argv` is the program's whole argument list; it is only logged. Returns the exit
// status: 0 when the browser closed the stream, 1 when the stream could not be read any further
// (a length no browser sends, a read or write error).
int RunNativeHost(int argc, char** argv);

}  // namespace guardpost

#endif  // GUARDPOST_NATIVE_HOST_H_
