#include "mirrorfetch.h"

#include "inventory/project.h"
#include "workspace.h"

namespace rd {

MirrorFetch::MirrorFetch(const Workspace &workspace, const Project &project)
    : m_knownHosts(&workspace.knownHosts()), m_mirrorPath(workspace.mirrorPath(project.name)),
      m_url(project.gitUrl), m_allowUnauthenticated(project.allowUnauthenticated)
{
}

Result<FetchReport> MirrorFetch::run(Options options) const
{
    FetchOptions fetch;
    fetch.credentials = std::move(options.credentials);
    fetch.knownHosts = m_knownHosts;
    fetch.hostKeyPrompt = options.hostKeyPrompt ? std::move(options.hostKeyPrompt)
                                                : [](const HostKeyInfo &) { return HostKeyDecision::Reject; };
    fetch.onProgress = std::move(options.onProgress);
    fetch.cancel = options.cancel;
    fetch.allowUnauthenticated = m_allowUnauthenticated;
    return GitMirror(m_mirrorPath).fetch(m_url, fetch);
}

} // namespace rd
