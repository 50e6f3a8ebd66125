#pragma once

#include <git2.h>
#include <git2/sys/transport.h>

#include <QString>

namespace rd {

// Fetches from a repository on this machine through git's own upload-pack, as `git fetch` does.
// libgit2's local transport builds a new pack object by object without reusing the source's deltas,
// several times slower on a large update; upload-pack streams what the source already has packed.
// Without git on PATH, the caller leaves libgit2's local transport in place.
class LocalUploadPack
{
public:
    // The git program, or empty when it is not installed.
    static QString gitProgram();

    LocalUploadPack(QString gitProgram, QString repositoryPath);
    LocalUploadPack(const LocalUploadPack &) = delete;
    LocalUploadPack &operator=(const LocalUploadPack &) = delete;

    // For git_remote_callbacks::transport (whose param is the callbacks' payload, so the caller forwards).
    int createTransport(git_transport **out, git_remote *owner);

private:
    static int createSubtransport(git_smart_subtransport **out, git_transport *owner, void *param);

    QString m_gitProgram;
    QString m_repositoryPath;
    git_smart_subtransport_definition m_definition;
};

} // namespace rd
