#pragma once

#include "commanderror.h"
#include "common/secretbytes.h"

#include <QByteArray>
#include <QCoreApplication>

namespace rd {

// Where secrets typed by the operator come from, in order: an environment variable, the next line
// of stdin (--password-stdin), or a prompt on the terminal with echo off. Never a command-line
// argument: those show up in `ps` and in shell history.
class PasswordReader
{
    Q_DECLARE_TR_FUNCTIONS(PasswordReader)

public:
    explicit PasswordReader(bool fromStdin);

    // `environmentVariable` may be empty. `confirm` asks twice at the terminal. When no source is
    // available, fails with `missingCode`.
    CommandResult<SecretBytes> read(const QString &environmentVariable, const QString &prompt, bool confirm,
                                    ExitCode missingCode);
    // Longer lines are refused: no password or passphrase is this long, and a pasted file would be.
    static constexpr std::size_t MaxSecretLength = 4096;
    // The next line of stdin, whatever --password-stdin says (for --passphrase-stdin).
    CommandResult<SecretBytes> nextStdinLine(const QString &what);

private:
    CommandResult<SecretBytes> prompt(const QString &text);
    static CommandResult<SecretBytes> tooLong(const QString &what);

    bool m_fromStdin = false;
};

} // namespace rd
