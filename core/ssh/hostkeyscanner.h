#pragma once

#include "common/error.h"
#include "hostkeys/hostkeyinfo.h"

#include <QList>

namespace rd {

class KnownHosts;

struct HostKeyScanTarget
{
    QString name;
    QString host;
    int port = 22;
};

struct HostKeyScanResult
{
    HostKeyScanTarget target;
    std::optional<HostKeyInfo> key; // empty when the server could not be reached
    QString error;
};

// Fetches the host keys of many servers at once (handshake only, no login), so an operator can
// compare and approve a fleet's keys together. Blocks the calling thread: never call it on the GUI thread.
class HostKeyScanner
{
public:
    static QList<HostKeyScanResult> scan(const QList<HostKeyScanTarget> &targets, KnownHosts &knownHosts,
                                         int parallelism, int timeoutMs);
};

} // namespace rd
