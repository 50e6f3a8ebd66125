// The ssh client configuration importer: any file ends in servers or an error, in bounded time.
#include "fuzzsupport.h"

#include "inventory/sshconfigimporter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    auto &environment = rd::fuzz::Environment::get();
    const QString config = environment.file(QStringLiteral("ssh_config"), data, size);
    const auto report = rd::SshConfigImporter::import(environment.store(), config);
    rd::fuzz::require(report || !report.error().message.isEmpty(), "an import error says what went wrong");
    return 0;
}
