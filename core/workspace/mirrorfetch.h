#pragma once

#include "git/gitmirror.h"

namespace rd {

class KnownHosts;
class Workspace;
struct Project;

// Brings a project's mirror up to date: the one fetch behind "mirror fetch", "package build", a
// release's stage 03 and the form's "Fetch now". Made on the inventory's thread, run on any thread
// (a worker in the app): it holds copies of what it needs, and the known hosts lock themselves.
class MirrorFetch
{
    Q_DECLARE_TR_FUNCTIONS(MirrorFetch)

public:
    struct Options
    {
        Options() { credentials.useAgent = true; }
        GitSshCredentials credentials; // ssh remotes: ssh-agent unless a key is given
        // Asked about a host key not known yet; without one such a key is refused.
        HostKeyPrompt hostKeyPrompt;
        std::function<void(const FetchProgress &)> onProgress;
        const std::atomic_bool *cancel = nullptr;
    };

    MirrorFetch(const Workspace &workspace, const Project &project);

    QString mirrorPath() const { return m_mirrorPath; }
    QString url() const { return m_url; }
    Result<FetchReport> run(Options options) const;

private:
    KnownHosts *m_knownHosts;
    QString m_mirrorPath;
    QString m_url;
    bool m_allowUnauthenticated;
};

} // namespace rd
