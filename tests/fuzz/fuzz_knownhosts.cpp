// The known_hosts reader: every line taken is one OpenSSH would read as a host key, and what was
// taken reads back from ReleaseDesk's own file.
#include "fuzzsupport.h"

#include "hostkeys/knownhosts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    auto &environment = rd::fuzz::Environment::get();
    const QString source = environment.file(QStringLiteral("known_hosts.in"), data, size);
    const QString own = environment.path(QStringLiteral("known_hosts"));
    QFile::remove(own);
    rd::KnownHosts knownHosts(own);
    const auto report = knownHosts.import(source);
    if (!report)
        return 0;
    // The same file again: everything it added is known now, nothing new.
    const auto again = knownHosts.import(source);
    rd::fuzz::require(again && again->added == 0, "a second import adds nothing");
    rd::fuzz::require(again->alreadyKnown >= report->added, "what was added is known");
    rd::HostKeyInfo info;
    info.host = QStringLiteral("web-01.example.com");
    info.port = 22;
    info.type = QStringLiteral("ssh-ed25519");
    info.blob = QByteArray(51, 'k');
    knownHosts.check(info);
    return 0;
}
