#pragma once

#include "common/error.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QStringList>

struct git_repository;

namespace rd {

// The one rule for tracked files under a shared path, which full and patch releases both follow:
// what the tree holds at a shared path seeds it the first time that path is made on a server; from
// then on the server's copy wins, so no release ships, changes or deletes anything there. A tree
// that has a file or symlink where a shared path's parent folder should be, or a symlink at a
// shared path, would send the link (and what is written through it) elsewhere: it is refused.
class SharedPaths
{
    Q_DECLARE_TR_FUNCTIONS(SharedPaths)

public:
    explicit SharedPaths(const QStringList &paths);

    // At or below a shared path.
    bool covers(const QByteArray &path) const;
    const QList<QByteArray> &paths() const { return m_paths; }
    // How far a link at releases/<version>/<path> climbs to reach the deploy root ("../..", one
    // more ".." per folder in the path); the link to shared path p is <climb>/shared/p.
    static QByteArray climbToRoot(const QByteArray &sharedPath);
    // The tree of `commitId` (a full id in `repository`) against the rule above.
    Result<> checkCommit(git_repository *repository, const QString &commitId) const;

private:
    QList<QByteArray> m_paths;
};

} // namespace rd
