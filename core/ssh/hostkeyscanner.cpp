#include "hostkeyscanner.h"

#include "hostkeys/knownhosts.h"
#include "sshsession.h"

#include <atomic>
#include <thread>
#include <vector>

namespace rd {

QList<HostKeyScanResult> HostKeyScanner::scan(const QList<HostKeyScanTarget> &targets, KnownHosts &knownHosts,
                                              int parallelism, int timeoutMs)
{
    QList<HostKeyScanResult> results(targets.size());
    std::atomic_int next = 0;
    auto scanOne = [&] {
        // Each thread owns the sessions it creates.
        for (int i = next++; i < targets.size(); i = next++) {
            results[i].target = targets[i];
            auto key = SshSession::probeHostKey(targets[i].host, targets[i].port, timeoutMs, knownHosts);
            if (key)
                results[i].key = *key;
            else
                results[i].error = key.error().text();
        }
    };
    std::vector<std::thread> threads;
    const int count = qBound(1, parallelism, int(targets.size()));
    for (int i = 0; i < count; ++i)
        threads.emplace_back(scanOne);
    for (std::thread &thread : threads)
        thread.join();
    return results;
}

} // namespace rd
