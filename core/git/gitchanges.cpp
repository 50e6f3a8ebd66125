#include "gitchanges.h"
#include "githandles.h"

#include <algorithm>

namespace rd {

namespace {

Result<GitTree> treeOf(const GitRefs &refs, const QString &commitId)
{
    git_oid id;
    if (git_oid_fromstr(&id, commitId.toLatin1().constData()) < 0)
        return std::unexpected(gitError(GitChanges::tr("\"%1\" is not a full commit id").arg(commitId)));
    git_commit *rawCommit = nullptr;
    if (git_commit_lookup(&rawCommit, refs.repository(), &id) < 0)
        return std::unexpected(gitError(GitChanges::tr("Could not read the commit %1").arg(commitId)));
    const GitCommit commit(rawCommit);
    git_tree *tree = nullptr;
    if (git_commit_tree(&tree, commit.get()) < 0)
        return std::unexpected(gitError(GitChanges::tr("Could not read the tree of %1").arg(commitId)));
    return GitTree(tree);
}

// Commits reachable from `from` but not from `hidden`, newest first, at most `limit` (+1 to tell truncation).
Result<QList<CommitInfo>> walk(const GitRefs &refs, const QString &from, const QString &hidden, int limit,
                               bool *truncated)
{
    git_oid fromId;
    git_oid hiddenId;
    git_oid_fromstr(&fromId, from.toLatin1().constData());
    git_oid_fromstr(&hiddenId, hidden.toLatin1().constData());
    git_revwalk *raw = nullptr;
    if (git_revwalk_new(&raw, refs.repository()) < 0)
        return std::unexpected(gitError(GitChanges::tr("Could not walk the history")));
    const GitRevwalk revwalk(raw);
    git_revwalk_sorting(revwalk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
    if (git_revwalk_push(revwalk.get(), &fromId) < 0 || git_revwalk_hide(revwalk.get(), &hiddenId) < 0)
        return std::unexpected(gitError(GitChanges::tr("Could not walk the history")));
    QList<CommitInfo> commits;
    git_oid id;
    for (;;) {
        const int next = git_revwalk_next(&id, revwalk.get());
        if (next == GIT_ITEROVER)
            break;
        if (next < 0)
            return std::unexpected(gitError(GitChanges::tr("Could not walk the history")));
        if (commits.size() == limit) {
            *truncated = true;
            break;
        }
        git_commit *rawCommit = nullptr;
        if (git_commit_lookup(&rawCommit, refs.repository(), &id) < 0)
            return std::unexpected(gitError(GitChanges::tr("Could not read a commit")));
        const GitCommit commit(rawCommit);
        commits.append(GitRefs::describe(commit.get()));
    }
    return commits;
}

} // namespace

QString FileChange::statusName(Status status)
{
    switch (status) {
    case Status::Added:
        return QStringLiteral("added");
    case Status::Modified:
        return QStringLiteral("modified");
    case Status::Deleted:
        return QStringLiteral("deleted");
    case Status::Renamed:
        return QStringLiteral("renamed");
    }
    return {};
}

Result<QList<FileChange>> GitChanges::files(const GitRefs &refs, const QString &baseId,
                                            const QString &targetId)
{
    auto baseTree = treeOf(refs, baseId);
    if (!baseTree)
        return std::unexpected(baseTree.error());
    auto targetTree = treeOf(refs, targetId);
    if (!targetTree)
        return std::unexpected(targetTree.error());

    git_diff_options options = GIT_DIFF_OPTIONS_INIT;
    // Type changes (file <-> symlink) come as one modification, not a delete plus an add.
    options.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
    git_diff *rawDiff = nullptr;
    if (git_diff_tree_to_tree(&rawDiff, refs.repository(), baseTree->get(), targetTree->get(), &options) < 0)
        return std::unexpected(
            gitError(tr("Could not compare %1 with %2").arg(baseId.left(12), targetId.left(12))));
    const GitDiff diff(rawDiff);
    git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
    find.flags = GIT_DIFF_FIND_RENAMES;
    if (git_diff_find_similar(diff.get(), &find) < 0)
        return std::unexpected(gitError(tr("Could not detect renamed files")));

    QList<FileChange> changes;
    const size_t count = git_diff_num_deltas(diff.get());
    changes.reserve(qsizetype(count));
    for (size_t i = 0; i < count; ++i) {
        const git_diff_delta *delta = git_diff_get_delta(diff.get(), i);
        FileChange change;
        change.path = QString::fromUtf8(delta->new_file.path);
        change.oldMode = int(delta->old_file.mode);
        change.newMode = int(delta->new_file.mode);
        switch (delta->status) {
        case GIT_DELTA_ADDED:
            change.status = FileChange::Status::Added;
            break;
        case GIT_DELTA_DELETED:
            change.status = FileChange::Status::Deleted;
            change.path = QString::fromUtf8(delta->old_file.path);
            break;
        case GIT_DELTA_RENAMED:
            change.status = FileChange::Status::Renamed;
            change.oldPath = QString::fromUtf8(delta->old_file.path);
            change.similarity = int(delta->similarity);
            break;
        default:
            change.status = FileChange::Status::Modified;
            break;
        }
        changes.append(change);
    }
    std::sort(changes.begin(), changes.end(),
              [](const FileChange &a, const FileChange &b) { return a.path < b.path; });
    return changes;
}

Result<ChangeSet> GitChanges::between(const GitRefs &refs, const QString &base, const QString &target,
                                      int commitLimit)
{
    if (commitLimit < 1)
        return fail(tr("The number of commits must be at least 1."), {}, QStringLiteral("limit"));
    auto baseId = refs.resolve(base);
    if (!baseId)
        return std::unexpected(baseId.error());
    auto targetId = refs.resolve(target);
    if (!targetId)
        return std::unexpected(targetId.error());
    ChangeSet changes;
    changes.baseId = *baseId;
    changes.targetId = *targetId;
    auto added = walk(refs, *targetId, *baseId, commitLimit, &changes.commitsTruncated);
    if (!added)
        return std::unexpected(added.error());
    changes.commitsAdded = *added;
    auto removed = walk(refs, *baseId, *targetId, commitLimit, &changes.commitsTruncated);
    if (!removed)
        return std::unexpected(removed.error());
    changes.commitsRemoved = *removed;
    auto files = GitChanges::files(refs, *baseId, *targetId);
    if (!files)
        return std::unexpected(files.error());
    changes.files = *files;
    return changes;
}

} // namespace rd
