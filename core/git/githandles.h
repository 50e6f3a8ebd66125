#pragma once

#include "common/error.h"

#include <git2.h>

#include <QString>

#include <memory>

namespace rd {

// Owners for libgit2's C handles: each handle has exactly one owner and is freed by its own function.
template <auto Free> struct GitDeleter
{
    template <typename T> void operator()(T *handle) const { Free(handle); }
};

using GitRepository = std::unique_ptr<git_repository, GitDeleter<git_repository_free>>;
using GitCommit = std::unique_ptr<git_commit, GitDeleter<git_commit_free>>;
using GitTree = std::unique_ptr<git_tree, GitDeleter<git_tree_free>>;
using GitTreeEntry = std::unique_ptr<git_tree_entry, GitDeleter<git_tree_entry_free>>;
using GitObject = std::unique_ptr<git_object, GitDeleter<git_object_free>>;
using GitReference = std::unique_ptr<git_reference, GitDeleter<git_reference_free>>;
using GitReferenceIterator = std::unique_ptr<git_reference_iterator, GitDeleter<git_reference_iterator_free>>;
using GitRemote = std::unique_ptr<git_remote, GitDeleter<git_remote_free>>;
using GitRevwalk = std::unique_ptr<git_revwalk, GitDeleter<git_revwalk_free>>;
using GitDiff = std::unique_ptr<git_diff, GitDeleter<git_diff_free>>;
using GitBlob = std::unique_ptr<git_blob, GitDeleter<git_blob_free>>;
using GitIndex = std::unique_ptr<git_index, GitDeleter<git_index_free>>;
using GitSignature = std::unique_ptr<git_signature, GitDeleter<git_signature_free>>;
using GitTag = std::unique_ptr<git_tag, GitDeleter<git_tag_free>>;
using GitConfig = std::unique_ptr<git_config, GitDeleter<git_config_free>>;
using GitOdb = std::unique_ptr<git_odb, GitDeleter<git_odb_free>>;

// git_buf and git_strarray are values whose contents the library allocates: disposed on scope exit.
struct GitBuf
{
    git_buf buf = GIT_BUF_INIT;
    GitBuf() = default;
    GitBuf(const GitBuf &) = delete;
    GitBuf &operator=(const GitBuf &) = delete;
    ~GitBuf() { git_buf_dispose(&buf); }
};

struct GitStrArray
{
    git_strarray array{nullptr, 0};
    GitStrArray() = default;
    GitStrArray(const GitStrArray &) = delete;
    GitStrArray &operator=(const GitStrArray &) = delete;
    ~GitStrArray() { git_strarray_dispose(&array); }
};

// git_error_last() is per thread and overwritten by the next call: copy it before anything else runs.
// `what` is the caller's translated sentence; the library's own words follow it.
inline Error gitError(const QString &what)
{
    const git_error *last = git_error_last();
    const QString detail = last && last->message ? QString::fromUtf8(last->message).trimmed() : QString();
    return Error{detail.isEmpty() ? what : what + QStringLiteral(": ") + detail, {}, {}};
}

} // namespace rd
