#pragma once

#include "common/error.h"
#include "gitrefs.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

namespace rd {

struct FileChange
{
    enum class Status
    {
        Added,
        Modified,
        Deleted,
        Renamed
    };

    Status status = Status::Modified;
    QString path;    // the path at the target (for Deleted: the path that goes away)
    QString oldPath; // the path at the base, set for Renamed
    int oldMode = 0; // git file modes: 0100644, 0100755, 0120000 (symlink), 0160000 (submodule)
    int newMode = 0;
    int similarity = 0; // percent, for Renamed

    static QString statusName(Status status); // "added", "modified", "deleted", "renamed"
};

// What a release from `base` to `target` sends out: the commits the servers do not have yet, the
// ones they lose (when going back), and the files that differ between the two trees.
struct ChangeSet
{
    QString baseId;
    QString targetId;
    QList<CommitInfo> commitsAdded;   // in target, not in base; newest first
    QList<CommitInfo> commitsRemoved; // in base, not in target (a rollback); newest first
    bool commitsTruncated = false;    // more than the limit asked for
    QList<FileChange> files;          // sorted by path
};

class GitChanges
{
    Q_DECLARE_TR_FUNCTIONS(GitChanges)

public:
    // Refs are resolved as GitRefs::resolve does. At most `commitLimit` commits are listed each way.
    static Result<ChangeSet> between(const GitRefs &refs, const QString &base, const QString &target,
                                     int commitLimit = 1000);
    // Only the changed files, from a tree-to-tree diff with rename detection (no commits walked).
    static Result<QList<FileChange>> files(const GitRefs &refs, const QString &baseId,
                                           const QString &targetId);
};

} // namespace rd
