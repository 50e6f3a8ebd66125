#pragma once

#include "common/error.h"

#include <QString>

#include <atomic>
#include <functional>

namespace rd {

class SshSession;

// What a job may tell while it runs on its worker thread; the worker turns these into signals.
struct SshJobContext
{
    const std::atomic_bool *cancel = nullptr;
    std::function<void(const QString &line, bool isStderr)> log;
    std::function<void(qint64 done, qint64 total)> progress;
    // A point reached in the middle of the job that its owner acts on before the job ends.
    std::function<void(const QString &what)> milestone;
    // From here on the job only waits for its owner (at a switch gate, say): its slot in the pool's
    // parallelism goes to another server.
    std::function<void()> yieldSlot;
};

// One unit of remote work for one server, run on that server's worker thread with its session.
using SshJob = std::function<Result<>(SshSession &session, const SshJobContext &context)>;

} // namespace rd
