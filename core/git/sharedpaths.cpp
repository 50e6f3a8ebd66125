#include "sharedpaths.h"

#include "commitfiles.h"
#include "githandles.h"

namespace rd {

SharedPaths::SharedPaths(const QStringList &paths)
{
    for (const QString &path : paths)
        m_paths.append(path.toUtf8());
}

bool SharedPaths::covers(const QByteArray &path) const
{
    for (const QByteArray &shared : m_paths)
        if (path == shared || (path.startsWith(shared) && path.at(shared.size()) == '/'))
            return true;
    return false;
}

QByteArray SharedPaths::climbToRoot(const QByteArray &sharedPath)
{
    QByteArray up("../..");
    for (qsizetype i = 0; i < sharedPath.count('/'); ++i)
        up += "/..";
    return up;
}

Result<> SharedPaths::checkCommit(git_repository *repository, const QString &commitId) const
{
    if (m_paths.isEmpty())
        return {};
    git_oid id;
    if (git_oid_fromstr(&id, commitId.toLatin1().constData()) != 0)
        return fail(tr("\"%1\" is not a full commit id.").arg(commitId), {}, QStringLiteral("ref"));
    git_commit *rawCommit = nullptr;
    if (git_commit_lookup(&rawCommit, repository, &id) != 0)
        return std::unexpected(CommitFiles::missingCommit(commitId));
    const GitCommit commit(rawCommit);
    git_tree *rawTree = nullptr;
    if (git_commit_tree(&rawTree, commit.get()) != 0)
        return std::unexpected(gitError(tr("Could not read the tree of %1").arg(commitId)));
    const GitTree tree(rawTree);
    const QString hint = tr("Change the environment's shared paths, or the repository, so that every folder "
                            "above a shared path is a folder (or absent) and no shared path is a symlink.");
    for (const QByteArray &shared : m_paths) {
        for (qsizetype end = shared.indexOf('/'); ; end = shared.indexOf('/', end + 1)) {
            const QByteArray path = end < 0 ? shared : shared.left(end);
            git_tree_entry *rawEntry = nullptr;
            if (git_tree_entry_bypath(&rawEntry, tree.get(), path.constData()) != 0)
                break; // absent: nothing below it either
            const GitTreeEntry entry(rawEntry);
            const git_filemode_t mode = git_tree_entry_filemode(rawEntry);
            const bool atSharedPath = end < 0;
            if (mode == GIT_FILEMODE_LINK)
                return fail(tr("Commit %1 has a symlink at \"%2\", where the shared path \"%3\" goes: the link to "
                               "the shared data could lead anywhere.")
                                .arg(commitId.left(12), QString::fromUtf8(path), QString::fromUtf8(shared)),
                            hint, QStringLiteral("sharedPaths"));
            if (!atSharedPath && mode != GIT_FILEMODE_TREE)
                return fail(tr("Commit %1 has a file at \"%2\", where the shared path \"%3\" needs a folder.")
                                .arg(commitId.left(12), QString::fromUtf8(path), QString::fromUtf8(shared)),
                            hint, QStringLiteral("sharedPaths"));
            if (atSharedPath)
                break;
        }
    }
    return {};
}

} // namespace rd
