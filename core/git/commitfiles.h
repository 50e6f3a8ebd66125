#pragma once

#include "common/error.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QRegularExpression>
#include <QStringList>

#include <git2.h>

namespace rd {

struct CommitFile
{
    QByteArray path; // relative, '/'-separated, UTF-8 as stored in git
    git_oid id{};
    git_filemode_t mode = GIT_FILEMODE_BLOB;

    bool isDirectory() const { return mode == GIT_FILEMODE_TREE; }
    bool isSymlink() const { return mode == GIT_FILEMODE_LINK; }
    bool isExecutable() const { return mode == GIT_FILEMODE_BLOB_EXECUTABLE; }
};

// What a package takes from a project's `packageExcludes`: a pattern without '/' matches a file or
// directory name anywhere ("node_modules", "*.log"); one with '/' matches a path from the top
// ("docs/internal", "/build"). A directory that matches takes everything below it along.
class PathExcludes
{
public:
    explicit PathExcludes(const QStringList &patterns = {});
    bool matches(const QByteArray &path) const;

private:
    QList<QRegularExpression> m_names;
    QList<QRegularExpression> m_paths;
};

// The files of one commit as a package sees them: directories, regular files, executables and
// symlinks, sorted by path bytes. Submodules are left out with a warning (the package carries no
// second repository); paths marked `export-ignore` by the .gitattributes of that same commit (and
// the repository's info/attributes), and those matching the excludes, are left out like
// `git archive` leaves them out.
class CommitFiles
{
    Q_DECLARE_TR_FUNCTIONS(CommitFiles)

public:
    // `commitId` must be a full id present in the repository.
    static Result<CommitFiles> read(git_repository *repository, const QString &commitId,
                                    const QStringList &excludes = {}, bool applyIgnores = true);

    const QList<CommitFile> &files() const { return m_files; }
    const QStringList &warnings() const { return m_warnings; }
    qint64 commitTime() const { return m_commitTime; }
    const git_oid &commitId() const { return m_commitId; }

    // For paths outside the commit, e.g. build output: export-ignore at this commit, or excluded.
    bool ignored(const QByteArray &path) const;
    // Whether any .gitattributes could mark something export-ignore (else no look-ups are made).
    bool hasAttributes() const { return m_hasAttributes; }

    // Writes the files (with their modes and symlinks) into `directory`, which must exist.
    Result<> checkout(const QString &directory) const;

    // For a few paths of any commit without reading its whole tree (patches): export-ignore on the
    // path or a directory above it, or excluded.
    static Result<bool> ignoredAt(git_repository *repository, const git_oid &commitId, const PathExcludes &excludes,
                                  const QByteArray &path);

    // A tree entry name git itself would write: not empty, ".", ".." or ".git" (in any case), and
    // without '/'.
    static bool safeEntryName(const QByteArray &name);

    // A missing commit: the message says to fetch first.
    static Error missingCommit(const QString &commitId);

private:
    Result<bool> exportIgnored(const QByteArray &path) const;
    static Result<bool> attributeIgnores(git_repository *repository, const git_oid &commitId, const QByteArray &path);

    git_repository *m_repository = nullptr;
    git_oid m_commitId{};
    qint64 m_commitTime = 0;
    bool m_hasAttributes = false;
    PathExcludes m_excludes;
    QList<CommitFile> m_files;
    QStringList m_warnings;
};

} // namespace rd
