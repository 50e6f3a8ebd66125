#pragma once

#include "hostkeys/hostkeyinfo.h"

#include <QHash>
#include <QMutex>
#include <QPointer>
#include <QWaitCondition>
#include <QWidget>

#include <memory>

namespace rd {

class HostKeyDialog;

// The GUI's answer to first contact: a HostKeyPrompt that SSH workers call from their own threads
// and that shows a HostKeyDialog on the GUI thread, one question at a time. A worker waits for the
// operator's answer until cancel() is called, which answers Reject: so the owner of the worker
// threads can always shut them down without waiting on a dialog that will never be shown.
class GuiHostKeyPrompt
{
public:
    explicit GuiHostKeyPrompt(QWidget *dialogParent);
    ~GuiHostKeyPrompt();
    GuiHostKeyPrompt(const GuiHostKeyPrompt &) = delete;
    GuiHostKeyPrompt &operator=(const GuiHostKeyPrompt &) = delete;

    // The name shown for a host:port (the inventory's server name); the host itself otherwise.
    void setServerName(const QString &host, int port, const QString &name);
    // Call on the GUI thread before waiting for the workers: the open question and every later one
    // answer Reject.
    void cancel();
    // Safe to call from any thread, and to outlive this object (it then answers Reject).
    HostKeyPrompt prompt() const;

private:
    struct State
    {
        QMutex mutex;
        QWaitCondition answered;
        bool cancelled = false;
        QHash<QString, QString> names;
        QPointer<QWidget> parent;
        QPointer<HostKeyDialog> open; // touched on the GUI thread only
        QMutex asking; // one dialog at a time
    };

    static HostKeyDecision ask(const std::shared_ptr<State> &state, const HostKeyInfo &info);
    static HostKeyDecision show(State &state, const HostKeyInfo &info);

    std::shared_ptr<State> m_state;
};

} // namespace rd
