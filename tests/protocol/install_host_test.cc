// packaging/install-host.sh: the manifests it writes are what a browser needs to start the host.

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host_process.h"

namespace guardpost::testing {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

const std::string kInstaller = std::string(GUARDPOST_SOURCE_DIR) + "/packaging/install-host.sh";

struct Installer {
  TempDir dir;
  std::string output;

  // Runs the installer with HOME in our temporary directory.
  int operator()(std::vector<std::string> args) {
    args.insert(args.begin(), {"/bin/sh", kInstaller});
    const int status =
        Run(args, {"PATH=/usr/bin:/bin", "HOME=" + home().string()}, dir.path() / "output.txt");
    output = ReadFile(dir.path() / "output.txt");
    return status;
  }
  fs::path home() const { return dir.path(); }
};

BOOST_AUTO_TEST_SUITE(install_host)

BOOST_AUTO_TEST_CASE(chromium_manifest_in_a_user_data_dir_starts_the_host) {
  Installer install;
  const fs::path target = install.home() / "udd" / "NativeMessagingHosts";
  BOOST_TEST_REQUIRE(install({"--target-dir", target.string(), GUARDPOST_BINARY}) == 0,
                     install.output);
  const json manifest = json::parse(ReadFile(target / "com.guardpost.host.json"));
  BOOST_TEST(manifest["name"] == "com.guardpost.host");
  BOOST_TEST(manifest["type"] == "stdio");
  BOOST_TEST(fs::path(manifest["path"].get<std::string>()).is_absolute());
  BOOST_TEST(manifest["allowed_origins"] ==
             json({"chrome-extension://bodmcpfkdcfbpoidjolkokpljnogfhnh/"}));
  BOOST_TEST(!manifest.contains("allowed_extensions"));

  // What Chromium does with it: start `path` with the caller's origin.
  HostOptions options;
  options.program = manifest["path"];
  options.args = {manifest["allowed_origins"][0]};
  Host host(options);
  BOOST_TEST(host.Call({{"id", 1}, {"type", "hello"}})["type"] == "hello");
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(firefox_manifest_names_the_gecko_id) {
  Installer install;
  BOOST_TEST_REQUIRE(install({"--browser", "firefox", "--gecko-id", "guardpost-test@example.com",
                              GUARDPOST_BINARY}) == 0,
                     install.output);
  const fs::path file = install.home() / ".mozilla/native-messaging-hosts/com.guardpost.host.json";
  const json manifest = json::parse(ReadFile(file));
  BOOST_TEST(manifest["allowed_extensions"] == json({"guardpost-test@example.com"}));
  BOOST_TEST(!manifest.contains("allowed_origins"));

  // What Firefox does with it: start `path` with the manifest's path and the add-on id.
  HostOptions options;
  options.program = manifest["path"];
  options.args = {file.string(), "guardpost-test@example.com"};
  Host host(options);
  BOOST_TEST(host.Call({{"id", 1}, {"type", "hello"}})["type"] == "hello");
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(all_means_the_browsers_the_user_has) {
  Installer install;
  fs::create_directories(install.home() / ".config" / "google-chrome");
  fs::create_directories(install.home() / ".config" / "microsoft-edge");
  BOOST_TEST_REQUIRE(
      install({"--extension-id", "abcdefghijklmnopabcdefghijklmnop", "--extension-id",
               "ponmlkjihgfedcbaponmlkjihgfedcba", GUARDPOST_BINARY}) == 0,
      install.output);
  for (const char* browser : {"google-chrome", "microsoft-edge"}) {
    const json manifest = json::parse(ReadFile(install.home() / ".config" / browser /
                                               "NativeMessagingHosts/com.guardpost.host.json"));
    BOOST_TEST(manifest["allowed_origins"] ==
               json({"chrome-extension://abcdefghijklmnopabcdefghijklmnop/",
                     "chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba/"}));
  }
  BOOST_TEST(!fs::exists(install.home() / ".config" / "chromium"));
  BOOST_TEST(!fs::exists(install.home() / ".mozilla"));

  BOOST_TEST(install({"--uninstall"}) == 0, install.output);
  BOOST_TEST(!fs::exists(install.home() /
                         ".config/google-chrome/NativeMessagingHosts/com.guardpost.host.json"));
}

BOOST_AUTO_TEST_CASE(bad_arguments_are_refused) {
  Installer install;
  BOOST_TEST(install({"--help"}) == 0);
  BOOST_TEST(install.output.find("--target-dir") != std::string::npos);
  BOOST_TEST(install({"--browser", "chromium", "--extension-id", "not-an-id", GUARDPOST_BINARY}) ==
             2);
  BOOST_TEST(install({"--browser", "opera", GUARDPOST_BINARY}) == 2);
  BOOST_TEST(install({"--browser", "chromium", "/no/such/guardpost"}) == 2);
  BOOST_TEST(install({"--browser", "chromium", "--gecko-id", "a\"b", GUARDPOST_BINARY}) == 2);
  BOOST_TEST(!fs::exists(install.home() / ".config" / "chromium" / "NativeMessagingHosts" /
                         "com.guardpost.host.json"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace guardpost::testing
