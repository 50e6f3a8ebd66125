#pragma once

#include "common/error.h"
#include "environment.h"
#include "hooktemplate.h"
#include "project.h"
#include "server.h"
#include "sshkey.h"

#include <QCoreApplication>
#include <QList>

namespace rd {

// Field-by-field checks with messages that say what is wrong and what to do. Every value that can
// reach a remote shell or a path on a server is held to a strict pattern here, and quoted later too.
class Validator
{
    Q_DECLARE_TR_FUNCTIONS(Validator)

public:
    static std::optional<Error> name(const QString &value, const QString &field = QStringLiteral("name"));
    static std::optional<Error> username(const QString &value, bool required = true);
    static std::optional<Error> host(const QString &value);
    static std::optional<Error> port(int value);
    static std::optional<Error> port(const QString &text, int *value);
    static std::optional<Error> deployRoot(const QString &value);
    static std::optional<Error> sharedPath(const QString &value);
    static std::optional<Error> gitUrl(const QString &value);
    // http:// and git://: the server is not authenticated, so what is fetched can be changed on the way.
    static bool isUnauthenticated(const QString &gitUrl);
    static std::optional<Error> transport(const QString &gitUrl, bool allowUnauthenticated);
    static std::optional<Error> branch(const QString &value);
    static std::optional<Error> tag(const QString &value);
    static std::optional<Error> freeText(const QString &value, const QString &field, int maxLength, bool multiline);

    static QList<Error> check(const SshKey &key);
    static QList<Error> check(const Server &server);
    static QList<Error> check(const Project &project);
    static QList<Error> check(const Environment &environment);
    static QList<Error> check(const HookTemplate &hook);

    // One message listing every field problem, for callers that report a single error.
    static Error combine(const QList<Error> &errors);
};

} // namespace rd
