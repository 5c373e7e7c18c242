// Today's date for rules with an active window (docs/rules.md). The engine has no clock; the
// front ends ask this.

#ifndef GUARDPOST_COMMON_TODAY_H_
#define GUARDPOST_COMMON_TODAY_H_

#include <ctime>
#include <string>

namespace guardpost {

// The local date as YYYY-MM-DD: an employee reads "until 2025-12-01" in their own time zone.
inline std::string LocalDateToday() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
#ifdef _WIN32
  localtime_s(&local, &now);
#else
  localtime_r(&now, &local);
#endif
  char date[16];
  const size_t n = std::strftime(date, sizeof date, "%Y-%m-%d", &local);
  return std::string(date, n);
}

}  // namespace guardpost

#endif  // GUARDPOST_COMMON_TODAY_H_
