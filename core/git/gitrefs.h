#pragma once

#include "common/error.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QList>
#include <QString>

#include <memory>

// libgit2's own types, declared so that this header does not bring libgit2's headers along.
struct git_commit;
struct git_repository;

namespace rd {

struct BranchInfo
{
    QString name; // without refs/heads/
    QString commitId;
    QDateTime date; // the commit's committer date
    QString subject;
};

struct TagInfo
{
    QString name; // without refs/tags/
    QString commitId;
    QDateTime date; // tagger date for annotated tags, commit date for lightweight ones
    bool annotated = false;
    QString message; // the annotation's first line
};

struct CommitInfo
{
    QString id;
    QString shortId;
    QString author;
    QString authorEmail;
    QDateTime date; // author date, in the author's time zone
    QString subject;
};

// Reads a repository (a project's mirror) for the release form: branches, tags, recent commits,
// and any ref, short id or full id turned into a full commit id. No network.
// One instance belongs to one thread, like the libgit2 repository it holds.
class GitRefs
{
    Q_DECLARE_TR_FUNCTIONS(GitRefs)

public:
    static Result<GitRefs> open(const QString &repositoryPath);

    Result<QList<BranchInfo>> branches() const;
    // Newest first; tags that point at something other than a commit are left out.
    Result<QList<TagInfo>> tags() const;
    // The latest `limit` commits reachable from `ref`, newest first.
    Result<QList<CommitInfo>> commits(const QString &ref, int limit) const;
    // A branch, tag, other ref, short id or full id as a full commit id. The error's field is "ref".
    Result<QString> resolve(const QString &ref) const;
    Result<CommitInfo> commit(const QString &ref) const;

    QString path() const { return m_path; }
    git_repository *repository() const { return m_repository.get(); }

    static CommitInfo describe(const git_commit *commit);

private:
    struct RepositoryFree
    {
        void operator()(git_repository *repository) const;
    };

    GitRefs(QString path, git_repository *repository);

    QString m_path;
    std::unique_ptr<git_repository, RepositoryFree> m_repository;
};

} // namespace rd
