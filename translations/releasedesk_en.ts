<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>AnsibleInventory</name>
    <message>
        <source>Line %1: %2 was skipped: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line %1: %2 is not valid: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>host &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line %1: the group &quot;%2&quot; did not become a tag: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 belongs to the project &quot;%2&quot;, which is not in the inventory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create the project first, or export with its git URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the project &quot;%1&quot; of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>group &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 should become an environment of the project &quot;%2&quot;, which does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create the project first, or import the groups as tags.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The YAML inventory could not be written: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Correct the inventory file and import it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the host range in &quot;%1&quot; is not valid.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write ranges like web[01:10] or db-[a:f].</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the step of the host range in &quot;%1&quot; is not valid.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the host range in &quot;%1&quot; is empty or too large.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a quote is not closed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the section header &quot;%1&quot; is not closed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the section &quot;%1&quot; is not a group, :vars or :children section.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the group name in &quot;%1&quot; is not valid.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a key=value host variable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a key=value group variable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a group name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the variables of %1 must be a mapping.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>groups are nested too deeply.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the group &quot;%1&quot; must be a mapping with hosts, vars or children.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the hosts of &quot;%1&quot; must be a mapping.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the children of &quot;%1&quot; must be a mapping.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not hosts, vars or children.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the inventory must be a mapping of groups, usually starting with &quot;all:&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the YAML is not valid: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the inventory names more than %1 hosts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Split the inventory and import the parts one after another.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the inventory names more than %1 groups.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the inventory expands to more than %1 entries.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>YAML aliases (*name) that repeat whole groups can do this; write the groups out instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the groups hold more than %1 hosts in all, counting each group a host is in.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BoundedFile</name>
    <message>
        <source>%1 %2 does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read %1 %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check its permissions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2 is larger than %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that this is the file you meant; an inventory of thousands of servers is far smaller.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CliContext</name>
    <message>
        <source>The vault is not initialized.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create it first with: releasedesk-cli vault init</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Master password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no key named &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the keys with: releasedesk-cli key list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no server named &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the servers with: releasedesk-cli server list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no project named &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the projects with: releasedesk-cli project list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; does not name an environment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write it as PROJECT/ENV, for example shop/prod.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Project &quot;%1&quot; has no environment named &quot;%2&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List them with: releasedesk-cli env list --project %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no hook template titled &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List them with: releasedesk-cli hook list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The name &quot;%1&quot; is already taken by another %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose another name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The %1 &quot;%2&quot; is not a whole number from %3 to %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give a number in that range.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CommandLine</name>
    <message>
        <source>Inventory directory (default: RELEASEDESK_HOME, else the user&apos;s data directory).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DIR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Machine-readable JSON on stdout; errors as JSON on stderr.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read passwords as lines from stdin instead of prompting.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show help; after a verb, that verb&apos;s help.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: releasedesk-cli [--data-dir DIR] [--json] [--password-stdin] &lt;group&gt; &lt;verb&gt; [arguments]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Manages the ReleaseDesk inventory without the GUI.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Options:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commands:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Passwords are never taken from arguments. The master password comes from RELEASEDESK_VAULT_PASSWORD, an export password from RELEASEDESK_EXPORT_PASSWORD, a new master password from RELEASEDESK_NEW_VAULT_PASSWORD; otherwise, with --password-stdin, one line each from stdin in the order asked; otherwise from a prompt on the terminal.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exit codes:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>success</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>runtime failure (I/O, database)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>usage error (unknown command or option, missing argument)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>invalid input (validation failed; the message names the field and the rule)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>vault locked, not initialized, or wrong password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>refused: still in use (the users are listed) or name taken</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run releasedesk-cli &lt;group&gt; &lt;verb&gt; --help for the options of a verb.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage: releasedesk-cli %1 %2 %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run releasedesk-cli --help for the global options and the exit codes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown command &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use one of: %1. See releasedesk-cli --help.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; needs a verb.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown verb &quot;%1 %2&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use one of: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>See releasedesk-cli %1 %2 --help.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Missing argument for &quot;%1 %2&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too many arguments for &quot;%1 %2&quot;: %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>one or more servers failed (each one&apos;s error is listed)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CommitFiles</name>
    <message>
        <source>The commit %1 is not in the local mirror.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetch the mirror first (mirror fetch), then build the package again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a full commit id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resolve the ref first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read the tree of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The submodule %1 is not part of the package.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read the files of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read the attributes of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create %1 in the work directory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the free space and permissions of %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read %1 from the mirror</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create the symlink %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not set the mode of %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Do not release this commit; find out who pushed it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commit %1 has a tree entry &quot;%2&quot; that git never makes (&quot;..&quot;, &quot;.&quot;, &quot;.git&quot;, an empty name, a name with /, or a name twice): the repository was crafted to write outside the release.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DataDir</name>
    <message>
        <source>Could not create the data directory %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose another one with --data-dir or RELEASEDESK_HOME.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EnvironmentCommands</name>
    <message>
        <source>The server %1 is listed twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each server can be in an environment once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ENVIRONMENT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DEPLOY ROOT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>STRATEGY</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PARALLEL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SERVERS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deploy root</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shared paths</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parallelism</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Servers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; does not name an environment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write it as PROJECT/ENV, for example shop/prod.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The environment needs a deploy root.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add --root, for example --root /srv/shop.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>environment of this project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added environment %1/%2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved environment %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed environment %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved the servers of %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server %1 is not in %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>See its servers with: releasedesk-cli env show %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Absolute deploy root on the servers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PATH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A path kept across releases; repeat for more (replaces them).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>P</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Servers worked on at once (1-500, default 10).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>N</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>full, rolling, gray or patch (default full).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A server, in release order; repeat for more (replaces them).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAME</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NEW</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Environments: where a project is deployed, on which servers, in which order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[--project P]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the environments.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only this project&apos;s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PROJECT/ENV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show one environment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PROJECT/ENV --root PATH [--shared P ...] [--parallelism N] [--strategy S] [--server NAME ...]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add an environment to a project.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PROJECT/ENV [the options of add] [--name NEW]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change an environment; options not given stay as they are.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove an environment (its servers stay).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PROJECT/ENV SERVER... [--position N]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add servers to the release order, at the end or at position N (1 is first); servers already in it move there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where to insert them, 1 being first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PROJECT/ENV SERVER...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take servers out of an environment.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FleetCommands</name>
    <message>
        <source>DRIFT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2 s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no enabled servers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add servers to it with: releasedesk-cli env assign %1 SERVER...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Released</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drift</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 servers could not be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each server&apos;s error is listed above; the others were read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 servers do not run %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release %1 again, or roll back, to bring them in line.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PROJECT ENV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The release each server runs, and which ones drift (exit 6 on drift, 7 when a server cannot be read).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The release every server should run (default: the last successful task&apos;s, else the newest on any server).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VERSION</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FleetReading</name>
    <message>
        <source>server #%1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GitChanges</name>
    <message>
        <source>&quot;%1&quot; is not a full commit id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read the commit %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read the tree of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not walk the history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read a commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not compare %1 with %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not detect renamed files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The number of commits must be at least 1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GitCommands</name>
    <message>
        <source>Project &quot;%1&quot; has no local mirror yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetch it first: releasedesk-cli mirror fetch %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key %1 is disabled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enable it or choose another key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Receiving objects: %1/%2, %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare the fingerprint with the server&apos;s, then run the fetch again with --accept-new-host-key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cloned %1 into %2: %3 refs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetched %1 into %2: %3 refs changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>new %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>deleted (was %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Branch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Author</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ref</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Renamed from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From %1 to %2: %3 commit(s) going out, %4 taken back, %5 file(s) changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(commits cut at --limit)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At most N commits (default %1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>N</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Local mirrors of the projects&apos; git repositories</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PROJECT [--key NAME | --key-file PATH | --agent] [--user NAME] [--accept-new-host-key] [--quiet]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clone the project&apos;s repository into its mirror, or fetch every branch and tag into it; refs deleted upstream are pruned. Ctrl-C cancels.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in to an ssh remote with this inventory key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAME</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in to an ssh remote with this private key file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PATH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in to an ssh remote through ssh-agent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The ssh user when the URL names none (default: the key&apos;s user).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trust and remember the ssh host key on first contact (a changed key is always refused).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No progress on stderr.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Branches, tags and commits of a project&apos;s mirror (no network)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PROJECT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the branches with their commit and date.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the tags, newest first: annotated ones with the tagger&apos;s date, lightweight ones with the commit&apos;s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PROJECT [REF] [--limit N]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The latest commits of REF (default: the project&apos;s default branch).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PROJECT REF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The full commit id of a branch, tag, short id or full id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What a release from BASE to TARGET sends out (no network)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PROJECT BASE TARGET [--limit N]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The commits going out (+) and taken back (-), and the changed files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only the commits going out (+) and taken back (-).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PROJECT BASE TARGET</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only the changed files: added, modified, deleted, renamed (with rename detection).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GitMirror</name>
    <message>
        <source>The fetch of %1 was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 asks for a user name and password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ReleaseDesk fetches over https only from repositories that need no sign-in; use the repository&apos;s ssh URL with a key instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No user name to sign in to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put the user in the URL (ssh://git@host/path) or choose a key with a user name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the stored key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the key file %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ssh-agent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No key to sign in to %1 as %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a key from the inventory, a key file, or ssh-agent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authentication to %1 as %2 failed (tried %3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the key&apos;s public half is in the server&apos;s authorized_keys for that user, and that the user name is right.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The SSH library did not show the host key of %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This build of libgit2 cannot check host keys; fetch over https or from a local path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No known hosts file to check the host key of %1 against.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host key of %1 (%2 %3) is marked as revoked in ReleaseDesk&apos;s known hosts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Do not fetch from it until the server has a new key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host key of %1 has CHANGED. Stored: %2. Offered now: %3 (%4). The fetch was refused: someone may be intercepting it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>If the server&apos;s keys were rotated, check the new fingerprint on the server (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then forget the stored key and fetch again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host key of %1 (%2 %3) is not known and was not accepted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare the fingerprint with the server&apos;s and accept it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetching %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the key and the user name, and that the server accepts the key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The URL does not point to a git repository: check the path in the project&apos;s git URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server could not be reached: check the host name, the port, the network and any proxy.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s TLS certificate was not accepted: check the system&apos;s trusted certificates.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetching %1 failed: there is no such folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key file %1 does not exist or cannot be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the key&apos;s path and its permissions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create the folder for the mirror %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the permissions of the data directory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create the mirror %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not open the mirror %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the folder and fetch again to rebuild the mirror.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not set up the remote of the mirror %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read the remote of the mirror %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not change the URL of the mirror %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not point the mirror&apos;s HEAD at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not move the new mirror into place at %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another fetch may have created it meanwhile; fetch again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare the fingerprint with the server&apos;s (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then accept it in the window, or add it with ssh-keyscan and releasedesk-cli hostkeys import.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ReleaseDesk knows another key of this server (%1); the git library asked for this type.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GitRefs</name>
    <message>
        <source>There is no git repository at %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetch the project&apos;s mirror first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not open the repository %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not list the branches of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read a branch of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not list the tags of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No ref was given.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give a branch, a tag or a commit id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid ref.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The short id &quot;%1&quot; matches more than one object in %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give more characters of the commit id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no branch, tag or commit &quot;%1&quot; in %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the spelling (list them with &quot;refs branches&quot; and &quot;refs tags&quot;), or fetch the mirror if it is new upstream.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not resolve &quot;%1&quot; in %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; in %2 is a %3, not a commit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The number of commits must be at least 1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not walk the history of %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HookCommands</name>
    <message>
        <source>The title &quot;%1&quot; is already taken.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose another title.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The stage &quot;%1&quot; is unknown.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose before-download, after-download, before-release or after-release.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--script and --script-file contradict each other.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give one of them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The script file %1 could not be read: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the path and its permissions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TITLE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>STAGE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SCRIPT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Title</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Script</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The template needs a stage.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add --stage before-download, after-download, before-release or after-release.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The template needs a script.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add --script TEXT or --script-file FILE.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added hook template &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved hook template &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed hook template &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>before-download, after-download, before-release or after-release.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The shell script.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TEXT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the shell script from a file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>F</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New title.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NEW</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hook templates: shell scripts run at a stage of a release</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the hook templates.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show one template with its script.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TITLE --stage STAGE (--script TEXT | --script-file F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a hook template.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TITLE [--stage STAGE] [--script TEXT | --script-file F] [--title NEW]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change a template; options not given stay as they are.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove a hook template.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InventoryStore</name>
    <message>
        <source>The inventory database could not %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the data directory is writable and the disk is not full.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>be read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no %1 with id %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List them to see which ones exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create the data directory %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose another one with --data-dir or RELEASEDESK_HOME.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create the inventory database %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the permissions of the data directory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not open the inventory database %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that it is a ReleaseDesk database and that its directory is writable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>be configured</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The inventory database %1 could not be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The inventory database was written by a newer ReleaseDesk (schema %1, this one knows %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upgrade ReleaseDesk, or point --data-dir at another directory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>be upgraded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The inventory was written from a worker thread.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is a bug in ReleaseDesk: only the thread that opened the inventory may write it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A key named &quot;%1&quot; already exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose another name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>save the key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key is still used by: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give those servers another key first, then remove this one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>remove the key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A server named &quot;%1&quot; already exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s key (id %1) does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose one of the stored keys.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>save the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server is still used by: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove it from those environments first, then remove it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>remove the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A project named &quot;%1&quot; already exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>save the project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>remove the project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Project &quot;%1&quot; already has an environment named &quot;%2&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>save the environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>remove the environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A server is listed twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each server can be in an environment once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no server with id %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the servers to see which ones exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>save the environment&apos;s servers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>hook template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A hook template titled &quot;%1&quot; already exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose another title.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>save the hook template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>remove the hook template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>server %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>environment %1/%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>save the vault</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown secret column %1.%2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>start a transaction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>undo the change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>save the change</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>JsonInventory</name>
    <message>
        <source>an object</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a string</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a whole number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>true or false</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a list of strings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 must be %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the field &quot;%2&quot; must be %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Correct the file, or export it again from ReleaseDesk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not valid: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 refers to the %2 &quot;%3&quot;, which is neither in the file nor in the inventory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add the %1 to the file or to the inventory first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The field &quot;%1&quot; must be a list.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 repeats a name that appears earlier in the file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep one entry per name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The field &quot;secrets&quot; must be a base64 string.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export the inventory again from ReleaseDesk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file holds encrypted private keys, and no export password was given.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the password that was chosen when the file was exported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file holds encrypted private keys, and the vault is locked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlock the vault with the master password, then import again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The field &quot;secrets&quot; is not valid base64.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The encrypted private keys could not be opened: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the export password; nothing was imported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The encrypted private keys are not in the expected form.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The encrypted secrets of key &quot;%1&quot; hold no private key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The private key of &quot;%1&quot; could not be opened: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The passphrase of &quot;%1&quot; could not be opened: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key &quot;%1&quot; was exported with its public key only: its private key needs an unlocked vault and an export password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is not valid JSON: %1 at offset %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a file exported by ReleaseDesk, or correct the JSON near that offset.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is not a ReleaseDesk inventory (its &quot;format&quot; is not &quot;%1&quot;).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a file exported by ReleaseDesk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The inventory file has version %1; this ReleaseDesk reads version %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export it again with this version of ReleaseDesk, or upgrade ReleaseDesk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has the unknown kind &quot;%2&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use stored, file or agent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has the unknown stage &quot;%2&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use before-download, after-download, before-release or after-release.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key &quot;%1&quot; was skipped: the file carries no private key for it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server &quot;%1&quot; was imported without a key: its key &quot;%2&quot; was skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The field &quot;%1&quot; has %2 entries, more than the %3 an import takes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Split the file and import the parts one after another.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>KeyCommands</name>
    <message>
        <source>The file %1 does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file %1 could not be read: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check its permissions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAME</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>USER</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KIND</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FINGERPRINT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ENABLED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Used by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Say where the key comes from, exactly once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use --private-key-file FILE, --key-file PATH or --agent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key needs a remote user.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add --user, for example --user deploy.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--passphrase-stdin only goes with --private-key-file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key files and the agent keep their own passphrases.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key&apos;s passphrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key file %1 does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the path of the private key file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added key %1 (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--enable and --disable contradict each other.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give one of them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved key %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key %1 is still used by: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give those servers another key first (server edit NAME --key K).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed key %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remote login name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>U</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SSH keys: a stored private key (sealed in the vault), a key file, or the ssh-agent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the keys.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show one key, its public key and who uses it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAME --user U (--private-key-file F [--passphrase-stdin] | --key-file PATH | --agent)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a key. A private key file is read once and sealed in the vault (needs the master password); its passphrase comes as a line on stdin.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OpenSSH private key to store in the vault.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>F</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the private key&apos;s passphrase from stdin.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use this private key file in place, at connect time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PATH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use the keys of the running ssh-agent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAME [--user U] [--name NEW] [--enable|--disable]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change a key&apos;s user, name or whether it is used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NEW</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use the key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the key but do not use it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove a key no server uses.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>KeyMaterial</name>
    <message>
        <source>This is not a private key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste the whole private key file, including the &quot;-----BEGIN ... PRIVATE KEY-----&quot; and &quot;-----END ... PRIVATE KEY-----&quot; lines.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The private key is damaged: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste the whole file again, unchanged.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys of type %1 are not supported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use an Ed25519, RSA or ECDSA key (ssh-keygen -t ed25519 makes one).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its public key cannot be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its %1 public key is malformed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its END line is missing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its base64 text does not decode.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it does not start with the OpenSSH key header.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its header cannot be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its private part is missing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its private part does not match its public key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ECDSA on curve %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This private key is protected by a passphrase.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the key&apos;s passphrase as well.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out of memory while reading the private key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The passphrase of this private key is wrong.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the passphrase again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PuTTY keys (.ppk) cannot be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Convert it first: puttygen key.ppk -O private-openssh -o key, then paste that file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is a public key, not a private key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste the private key file (for example id_ed25519, not id_ed25519.pub).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is not an OpenSSH public key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste one line as in a .pub file, such as &quot;ssh-ed25519 AAAA... me@host&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key could not be written to a temporary file to check its passphrase.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the free space of the temporary folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ssh-keygen, which checks the passphrase of an OpenSSH private key, could not start.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Install OpenSSH&apos;s client (Debian: openssh-client).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ssh-keygen did not finish checking the passphrase.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its key derivation &quot;%1&quot; cannot be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This key&apos;s passphrase is stretched with %1 bcrypt rounds; ReleaseDesk checks up to %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set the passphrase again with fewer rounds: ssh-keygen -p -a 100 -f KEY.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>KnownHosts</name>
    <message>
        <source>Could not read the known hosts file %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check its permissions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write the known hosts file %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the permissions of the data directory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the disk is not full.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The known hosts file already holds another %1 key for %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace it explicitly if the server&apos;s key really changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its host list has an empty entry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the host pattern &quot;%1&quot; matches every server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the hashed host name &quot;%1&quot; is not valid.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it names a certificate authority; ReleaseDesk checks host keys, not certificates.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the marker %1 is unknown.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it has no host, key type and key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the key is not valid base64.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the key is not a %1 key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The known hosts file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LocalHook</name>
    <message>
        <source>The hook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 could not start: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that /bin/sh and /usr/bin/setsid exist and the work directory %1 is there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no output)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 did not finish within %2 seconds and was stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Raise the time limit or make the hook faster. Last output:
%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 crashed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last output:
%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 failed with exit code %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fix the hook or what it builds, then run it again. Last output:
%1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Output</name>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PackageBuilder</name>
    <message>
        <source>Could not read %1 in the work directory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make sure nothing else changes the work directory, then build again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is neither a file, a directory nor a symlink and is not part of the package.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read %1 from the mirror</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read the symlink %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the ref, or fetch the mirror first (mirror fetch %1) if it is new.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create the work directory %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the permissions of the data directory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create a work directory in %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the free space and permissions of the data directory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The after-download hook</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PackageCommands</name>
    <message numerus="yes">
        <source>%n second(s)</source>
        <translation>
            <numerusform>%n second</numerusform>
            <numerusform>%n seconds</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n minute</numerusform>
            <numerusform>%n minutes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s)</source>
        <translation>
            <numerusform>%n hour</numerusform>
            <numerusform>%n hours</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n day</numerusform>
            <numerusform>%n days</numerusform>
        </translation>
    </message>
    <message>
        <source>Fetch it with &quot;mirror fetch %1&quot; (which can use a stored key and accept a new host key), then build with --offline.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read the hook file %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The hook &quot;%1&quot; runs at %2, not after download.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose an after-download hook.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A patch package carries the trees only and cannot run a build hook.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Build a full package (without --base) for a project that is built.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Project &quot;%1&quot; has no local mirror yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetch it first: releasedesk-cli mirror fetch %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>warning: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reused %1 (%2, %3 files, sha256 %4).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Built %1 (%2, %3 files, sha256 %4).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ref</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Age</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a size.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give bytes or a number with K, M, G or T, e.g. 500M.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Say how much to keep.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give --keep N, --max-size SIZE or both.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Removed %n package(s), freed %1; %2 kept.</source>
        <translation>
            <numerusform>Removed %n package, freed %1; %2 kept.</numerusform>
            <numerusform>Removed %n packages, freed %1; %2 kept.</numerusform>
        </translation>
    </message>
    <message>
        <source>Release packages in the local package store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PROJECT REF [--offline] [--base REF] [--hook-file F | --hook TITLE] [--version-id V] [--env NAME] [--timeout SECONDS] [--key-file PATH]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Build (or reuse) the package of REF: fetches the mirror first unless --offline; with --base, a patch package that brings a server at BASE to REF. The after-download hook runs in a checkout and the package is taken from there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use the mirror as it is; no network at all.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Build a patch package from this commit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The after-download hook&apos;s script, from a file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>F</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The after-download hook template with this title.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TITLE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The version id written into the manifest.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>V</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The environment the hook is told (RD_ENV).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAME</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The hook&apos;s time limit in seconds (default 1800).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SECONDS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetch over ssh with this private key file (default: ssh-agent).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PATH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[PROJECT]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the stored packages, newest first, with size and age.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--keep N | --max-size SIZE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the oldest packages beyond N packages or SIZE bytes (K, M, G, T), and leftovers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the newest N packages.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>N</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the newest packages that fit in SIZE.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SIZE</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PackageManifest</name>
    <message>
        <source>The package manifest is not valid JSON: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Build the package again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The package manifest has format %1; this version reads format %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Build the package again with this version.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PackageStore</name>
    <message>
        <source>Could not create the package store %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the permissions of the data directory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read the package record %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The stored package %1 is incomplete.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prune the package store and build it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create a package in %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the free space and permissions of the package store.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Free space in %1 or prune old packages (package prune), then build again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not move the package into place as %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the permissions of the package store.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not record the package %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not remove the package record of %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the permissions of %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not remove the package %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PackageWriter</name>
    <message>
        <source>Could not start a package archive: out of memory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not start the package %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1 into the package</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write the package %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read %1 for the package: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the build left it readable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 changed while it was being packaged.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make sure nothing else writes into the work directory, then build again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not finish the package %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The disk is not at fault: look at the file named above in the repository.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PasswordReader</name>
    <message>
        <source>Pass --password-stdin and write it as a line on stdin.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set %1, or pass --password-stdin and write it as a line on stdin.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is needed, and there is no terminal to ask on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repeat it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The two entries differ.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the command again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was expected as a line on stdin, but none came.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write one line per secret, in the order the command asks for them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was entered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is longer than %2 bytes, so it was not read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the secret itself on one line, not a file.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PatchPackage</name>
    <message>
        <source>Could not read %1 from the mirror</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 changed in git but lies in a shared path: the servers keep their own copy.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PipelineLegendItem</name>
    <message>
        <source>canary</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PipelineNodeItem</name>
    <message>
        <source>01 Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>02 Before download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>03 Download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>04 Build</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>05 Package</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>06 Upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>08 Release</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>09 After release</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>10 Health check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1% · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 on %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uploaded: %1 of %2 (%3%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Click to open the task log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Click to open this server&apos;s log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>07 Prepare</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ProjectCommands</name>
    <message>
        <source>project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAME</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GIT URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BRANCH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KEEP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ENVIRONMENTS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Git URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Branch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep releases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Excludes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Environments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The project needs a git URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add --git-url, for example --git-url https://git.example.com/shop.git.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added project %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved project %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed project %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed project %1 and its environments %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repository URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default branch (default main).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>B</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Releases kept on each server (2-100, default 5).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>N</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A pattern left out of packages; repeat for more (replaces them).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PAT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NEW</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Projects: the git repositories that are deployed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the projects.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show one project.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a project.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAME [the options of add] [--name NEW]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change a project; options not given stay as they are.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove a project and its environments (servers and keys stay).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unauthenticated fetch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accept an http:// or git:// URL, which fetches the code without authenticating the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Withdraw --allow-unauthenticated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAME --git-url URL [--branch B] [--keep N] [--exclude PAT ...] [--allow-unauthenticated]</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReleaseCommands</name>
    <message>
        <source>&quot;%1&quot; is not PROJECT/ENV.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name the environment as project/environment, e.g. shop/prod.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read the hook file %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The hook &quot;%1&quot; runs at %2, not at %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a %1 hook.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a kind of release.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use full, rolling, gray or patch (and &quot;release rollback&quot; to go back).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write it as 2026-11-24T02:30 (local time) or with a zone, 2026-11-24T02:30+08:00.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There are no release tasks yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interrupted: stopping the release and releasing its locks (Ctrl+C again to quit at once).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 waits for promotion. Check the canaries, then run: releasedesk-cli release promote %1 (or release abort %1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait for the other release, or break a stale lock explicitly.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fix what the failed servers report, then: releasedesk-cli release retry %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 will release %2 to %3/%4 at %5, while the app or &quot;releasedesk-cli release run --wait&quot; runs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1: %2 release of %3 (%4 at %5) to %6 servers of %7/%8</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A rollback needs the release to go back to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add --to VERSION; &quot;release status %1&quot; lists what the servers keep.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asked process %1 on %2, which runs task %3, to %4 it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a task status.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use scheduled, running, awaiting-promotion, succeeded, failed, aborted, interrupted or missed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Servers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Took</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ref</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 has no server &quot;%2&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Its servers: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 was due at %2 and was missed; it will not run late. Start it again if it is still wanted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting scheduled task %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n scheduled task(s) failed.</source>
        <translation>
            <numerusform>%n scheduled task failed.</numerusform>
            <numerusform>%n scheduled tasks failed.</numerusform>
        </translation>
    </message>
    <message>
        <source>Kept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unreachable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps on each server (shown for %1):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan: %1 release of %2 (%3 at %4) to %5 servers of %6/%7.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Current</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Free MiB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problems</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 servers would not take this release.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each server&apos;s problems are listed above.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no stale lock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 locks were kept or could not be checked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A lock in use is never broken: wait for its release, or abort that task.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Branch, tag or commit (default: the project&apos;s branch).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>full (default), rolling, gray or patch.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KIND</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only these servers of the environment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A,B,...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gray: the servers that go first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rolling: servers per batch; gray: after promotion.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>N</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed servers tolerated before the rest stops (N or N%).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gray: promote by itself after SECONDS of healthy canaries.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SECONDS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patch: the commit the servers run (default: the last release&apos;s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>COMMIT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What this release is for.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TEXT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After-download hook template (builds on this machine).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TITLE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After-download hook script file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FILE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Before-release hook template.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Before-release hook script file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After-release hook template.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After-release hook script file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Health check run in the new release; non-zero switches back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>COMMAND</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP health check; {host} and {server} are filled in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expected HTTP status (default 200).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CODE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text the HTTP answer must contain.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP attempts after the first (default 5).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start at this time instead of now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TIME</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Servers at once (default: the environment&apos;s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Releases kept per server (default: the project&apos;s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Do not fetch the mirror first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Private key for fetching an ssh remote.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trust and remember the keys of servers met for the first time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The release every server switches to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VERSION</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only this project.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PROJECT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only this environment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ENV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only tasks with these statuses.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>STATUS,...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At most N tasks (default 50).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan a rollback to this release.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep running and start each task at its time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release tasks: ship a commit to an environment&apos;s servers, and go back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PROJECT/ENV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Package a commit and release it to the environment&apos;s servers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TASK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release the rest of a gray task whose canaries are fine.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the failed servers of a task again from the stage that failed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Continue an interrupted task where each server stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Switch every server of the environment to one kept release.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Break the environment&apos;s deploy locks whose owner stopped refreshing them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seconds without a heartbeat (default 600).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dry run: what &quot;release start&quot; (or rollback with --to) would do, changing nothing on the servers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Past and scheduled tasks, newest first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A task&apos;s outcome on each server (&quot;last&quot; for the newest).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A task&apos;s log, or one server&apos;s with --server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This server&apos;s log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SERVER</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start scheduled tasks that are due (with --wait: as they fall due).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send every server the whole package and unpack it afresh, even where a delta from the live release would do.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The task was aborted. &quot;releasedesk-cli release status %1/%2&quot; shows what each server runs now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gray: leave the canaries on the new release (the fleet stays mixed).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop a task and release its locks. A gray task not yet promoted switches its canaries back to the release they ran before; other servers keep the release they run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Process %1, which runs task %2, did not take the request within 10 seconds; nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the process still runs (it may be stopped), then try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Go on? [yes/NO] </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was started: the release was not confirmed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer yes, or pass --yes when you are sure.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Do not ask before changing a production-like environment (asked only on a terminal).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Process %1 ended before it read the request; this process carries it out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On a terminal, also a line for each server and stage (otherwise one live line counts them).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReleaseConfirmation</name>
    <message>
        <source>every server of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>the %n server(s) of %1</source>
        <translation type="unfinished">
            <numerusform>the %n server of %1</numerusform>
            <numerusform>the %n servers of %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Roll back %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This switches %1, a production environment, back to %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release to %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This releases %1 to %2, a production environment.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReleaseEngine</name>
    <message numerus="yes">
        <source>delta from %1: %n file(s), %2</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Patching %1 into %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>uploaded %1, sha256 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read the patch package %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prepare the release again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>== lock %1 for task %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>locked; current release: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>== 07 patch with the lock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Switching to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>lock released</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release %1 is not on this server (it has: %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no releases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roll back to a release every server still keeps, or release that version again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is being deployed by someone else: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait for that release to finish. If its owner is gone, break the stale lock explicitly.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Taking the deploy lock on %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the deploy root is writable by the SSH user and the disk is not full.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>whole package: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>== 06 upload %1 to %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>== 07 unpack and before-release hook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unpacking %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The before-release hook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>== 08 switch current to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>== 09 after-release hook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The after-release hook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>== 10 health check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The health check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>switching back to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Switching back to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>== abort: switch %1 back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not switched back: another release holds %1 now (%2); the server still runs %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leave it to that release, or roll the server back once it is over.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Taking the deploy lock back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the server&apos;s releases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>runs %1, not %2: left as it is</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no release</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not switched back: the server keeps no earlier release; it still runs %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release the version it should run to it, or promote the task.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 The server still runs %2.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReleaseListing</name>
    <message>
        <source>Could not open the object database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read %1 from the mirror</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReleasePlan</name>
    <message>
        <source>The task&apos;s plan names an unknown release kind &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The task file was written by another version of ReleaseDesk or was edited by hand.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The task&apos;s plan has no task id, project or environment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>full</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rolling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>gray</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>patch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rollback</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The plan of task %1 breaks the rules of a new plan: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The task file was edited by hand or damaged; start a new release instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the task id &quot;%1&quot; is not a plain name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a release id of project %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the servers are missing or named twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the canary &quot;%1&quot; is not one of the servers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the commit &quot;%1&quot; is not a full commit id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the rollback target is not the plan&apos;s version.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the base commit &quot;%1&quot; is not a full commit id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the base listing is not a sha256 digest.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a count, limit or timeout is out of range.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the package &quot;%1&quot; is not a package file with its checksum.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReleasePlanner</name>
    <message>
        <source>There is no project &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the name in the inventory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Project &quot;%1&quot; has no environment &quot;%2&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the name, or add the environment first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The start time %1 has already passed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a time in the future, or start now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Environment %1/%2 has no enabled servers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assign servers to it first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server &quot;%1&quot; is not an enabled server of %2/%3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose among: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A gray release needs at least one canary server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the servers that get the release first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Canary &quot;%1&quot; is not one of the servers of this release.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose canaries among: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every server is a canary: nothing would wait for the promotion.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leave at least one server out of the canaries, or make a full release.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a release id of project %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release ids look like %1-v12-20261123101500; &quot;release status&quot; lists the kept ones.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Project &quot;%1&quot; has no local mirror yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetch it first: releasedesk-cli mirror fetch %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No earlier release of %1/%2 says which commit the servers run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name the base commit, or make a full release first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The servers already run %1: a patch would change nothing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a newer commit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A patch release carries the changed files of the tree only and cannot run a build hook.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make a full release for a project that is built.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a fresh complete unpack was asked for</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no earlier release of %1/%2 to build on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the live commit %1 is not in the local mirror</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the after-download hook builds files, which only the whole package carries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the change deletes too many paths to send as a delta</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReleaseProgress</name>
    <message numerus="yes">
        <source>%n failed</source>
        <translation type="unfinished">
            <numerusform>%n failed</numerusform>
            <numerusform>%n failed</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RemoteLayout</name>
    <message>
        <source>The patch deletes &quot;%1&quot;, which is not a path inside the release.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make a full release instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The patch deletes %n path(s), too many to send in one command.</source>
        <translation>
            <numerusform>The patch deletes %n path, too many to send in one command.</numerusform>
            <numerusform>The patch deletes %n paths, too many to send in one command.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ServerCommands</name>
    <message>
        <source>server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--enable and --disable contradict each other.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give one of them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAME</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HOST</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PORT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>USER</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KEY</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TAGS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ENABLED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Department</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Owner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Used by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server needs a host.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add --host, for example --host web-01.example.com.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added server %1 (%2:%3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved server %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server %1 is still used by: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take it out of those environments first (env unassign PROJECT/ENV %1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed server %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host name or IP address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>H</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SSH port (default 22).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>P</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name of the key to log in with (empty: none).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>K</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Login name (default: the key&apos;s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>U</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Department.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>D</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Owner.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A tag; repeat for more (replaces the tags).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>T</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Free notes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>N</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deploy to this server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the server but skip it in releases.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NEW</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Servers to deploy to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[--tag T ...]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the servers, optionally only those with all given tags.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only servers with this tag.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show one server and the environments it is in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAME --host H [--port P] [--key K] [--user U] [--department D] [--owner O] [--tag T ...] [--notes N]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAME [the options of add] [--name NEW] [--enable|--disable]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change a server; options not given stay as they are.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove a server no environment uses.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SharedPaths</name>
    <message>
        <source>&quot;%1&quot; is not a full commit id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read the tree of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change the environment&apos;s shared paths, or the repository, so that every folder above a shared path is a folder (or absent) and no shared path is a symlink.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commit %1 has a symlink at &quot;%2&quot;, where the shared path &quot;%3&quot; goes: the link to the shared data could lead anywhere.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commit %1 has a file at &quot;%2&quot;, where the shared path &quot;%3&quot; needs a folder.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SshCommands</name>
    <message>
        <source>No servers were chosen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name servers, or use --env PROJECT/ENV or --all.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The servers of this environment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PROJECT/ENV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every enabled server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Servers at once (default 20).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>N</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seconds to wait for each server (default 10).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SECONDS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host key of %1 port %2 is not known yet.
  %3 %4
Trust it and remember it? [yes/once/NO] </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed in with</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 servers failed the check.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each server&apos;s error is listed above.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored fingerprint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 server(s) offer a key that differs from the stored one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verify the new fingerprints on the servers, then run releasedesk-cli hostkeys forget SERVER and scan again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 servers could not be reached.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trust and remember the keys of servers met for the first time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reaching the servers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[SERVER...]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect, sign in and run `true` on each server; report each one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remember every new key found (changed keys never).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The servers&apos; host keys in ReleaseDesk&apos;s known_hosts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetch the host keys of many servers at once and show them, to approve them together.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SERVER...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the stored host keys of servers whose keys really changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[FILE]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the entries of an OpenSSH known_hosts file (default ~/.ssh/known_hosts).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file %1 does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name an OpenSSH known_hosts file, usually ~/.ssh/known_hosts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 host key(s) imported from %2; %3 already known; %4 line(s) skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>... and %1 more.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SshConfigImporter</name>
    <message>
        <source>%1: a quote is not closed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close the quote, as ssh would refuse this file too.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the host pattern &quot;%2&quot; is not a server of its own; its settings apply to the hosts it matches.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the Match block &quot;%2&quot; was skipped: its conditions depend on the moment of connection.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: Include is nested more than %2 levels deep.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the configuration for files that include each other.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: Include &quot;%2&quot; matches no file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key for %1 could not be created: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host &quot;%1&quot; was skipped: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its HostName &quot;%1&quot; uses a %-token that has no value at import time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its IdentityFile &quot;%1&quot; uses a %-token that has no value at import time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host &quot;%1&quot; names %2 identity files; the first, %3, is used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The ssh configuration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the line is %2 characters long.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No ssh option needs more than %1; check that this is an ssh client configuration.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the configuration names more than %2 hosts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Split it, or import the fleet from an Ansible or JSON inventory.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SshSession</name>
    <message>
        <source>%1 (%2 port %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 on %2: the connection was lost (%3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the server and its sshd are still running, then retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 on %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>error %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled while talking to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 did not answer in time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the network and the server&apos;s load, or raise the time limit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not resolve %1: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the host name, or use its IP address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled while connecting to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not connect to %1: no answer within %2 s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the server is up and that no firewall drops SSH traffic.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not connect to %1: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the server is up, that sshd listens on port %1 and that no firewall blocks it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create an SSH session for %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The system may be out of memory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The SSH handshake failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the port belongs to an SSH server and that it accepts modern algorithms (curve25519 or ECDH key exchange, AES-CTR, HMAC-SHA2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server sent no host key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host key of %1 (%2 %3) is marked as revoked in ReleaseDesk&apos;s known hosts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Do not connect until the server has a new key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host key of %1 has CHANGED. Stored: %2. Offered now: %3 (%4). The connection was refused: someone may be intercepting it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>If the server was reinstalled or its keys rotated, check the new fingerprint on the server (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then replace the stored key (releasedesk-cli hostkeys forget %1, or the host key dialog).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host key of %1 (%2 %3) is not known and was not accepted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare the fingerprint with the server&apos;s (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) and accept it, or scan and approve the fleet&apos;s keys first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking for the authentication methods failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ssh-agent (not reachable: is SSH_AUTH_SOCK set?)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ssh-agent (could not list its keys)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ssh-agent key %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ssh-agent (it holds no keys)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>stored key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>key file %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>keyboard-interactive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authentication as %1 on %2 failed. The server offers: %3. Tried: %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nothing that the server offers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the user name, and that the key&apos;s public part is in that user&apos;s ~/.ssh/authorized_keys on the server; for a key with a passphrase, check the passphrase.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening a channel failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting a command failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending data failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading a command&apos;s output failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the file exists and is readable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The upload of %1 to %2 was cancelled; the partial file was removed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing %1 on %2 failed: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check free space (df) and permissions of the target directory on the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The upload to %1 was incomplete (%2); the partial file was removed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the connection and retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file arrived damaged on %1 (%2); it was removed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry; if it happens again, check the server&apos;s disk and memory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Moving the uploaded file into place as %1 on %2 failed: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the permissions of the target directory on the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The upload to %1 failed with exit code %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server confirmed a different sha256 for %1 on %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry the upload.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 port %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Closing a command&apos;s input failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for a command to end failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server needs a POSIX shell with dd or head, wc and sha256sum.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SshTargetFactory</name>
    <message>
        <source>Server %1 is disabled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enable it in the inventory to use it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server %1 has no key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assign a key to it (releasedesk-cli server edit %1 --key NAME).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key %1 of server %2 is disabled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enable the key or assign another one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key %1 of server %2 is stored in the vault, which is locked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlock the vault with the master password first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server &quot;%1&quot; is no longer in the inventory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add it again under the same name, or leave it out.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StoredKeyBuilder</name>
    <message>
        <source>The vault is locked, so the key cannot be stored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlock the vault with the master password first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This private key is protected by a passphrase.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the key&apos;s passphrase as well.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TaskJournal</name>
    <message>
        <source>Could not write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the data directory is writable and the disk is not full.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read the task&apos;s plan %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the task id; &quot;release history&quot; lists the tasks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The task&apos;s plan %1 is damaged: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The task cannot be resumed; start a new one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create the task directory %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the data directory is writable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create the directory of task %1 in %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no release task &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;release history&quot; lists the tasks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not open the task journal %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write the task journal %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Free some disk space; the task stops so that it can be resumed later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read the task journal %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the permissions of the data directory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The task journal %1 is damaged at line %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The task cannot be resumed from it; check each server with &quot;release status&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Missed: nothing ran it at %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A request to %1 from %2 was left by an earlier run and is ignored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an unknown time</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TaskStatus</name>
    <message>
        <source>scheduled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>awaiting promotion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>aborted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>missed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TransferCommands</name>
    <message>
        <source>warning: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the directory exists and is writable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrote %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file %1 does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added %1, updated %2, skipped %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the path of an OpenSSH client configuration.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Ansible inventory format is missing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Ansible inventory format &quot;%1&quot; is unknown.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give --format ini or --format yaml.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Say what the groups of the inventory become, exactly once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give --project P (groups become its environments) or --as-tags.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--root only goes with --project.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags have no deploy root; drop --root or use --project.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ini or yaml.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FORMAT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write to this file (mode 0600) instead of stdout.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>F</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write the inventory out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[--output F] [--with-secrets]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The whole inventory as JSON. With --with-secrets, stored private keys are included, sealed under an export password (RELEASEDESK_EXPORT_PASSWORD, stdin or prompt); this needs the master password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Include the stored private keys, sealed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--format ini|yaml [--output F]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Servers and environments as an Ansible inventory; one group per environment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Merge inventory from files; entries with the same name are updated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FILE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A ReleaseDesk JSON export. Sealed private keys need the export password and the master password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[FILE]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Servers from an OpenSSH client configuration (default ~/.ssh/config).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FILE --format ini|yaml (--project P [--root PATH] | --as-tags)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hosts of an Ansible inventory become servers; its groups become environments of project P (deploy root from the group&apos;s releasedesk_deploy_root, else --root) or tags.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Project whose environments the groups become.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>P</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deploy root of those environments.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PATH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Groups become tags on their hosts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The inventory file</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Validator</name>
    <message>
        <source>The name is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter a short name such as web-01.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The name &quot;%1&quot; is not allowed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use 1 to 64 letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter or digit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user name is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the remote login, for example deploy.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user name &quot;%1&quot; is not a valid login.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use up to 32 letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter or &apos;_&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter a host name or an IPv4 or IPv6 address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid IPv6 address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write it like 2001:db8::10, without a port or zone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid IPv4 address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use four numbers from 0 to 255 separated by dots, like 192.0.2.10.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid host name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A host name is made of dot-separated labels of letters, digits and inner &apos;-&apos;, each at most 63 characters (RFC 1123).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The port %1 is out of range.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use a number from 1 to 65535; SSH listens on 22 unless configured otherwise.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The port &quot;%1&quot; is not a number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use an absolute path such as /srv/app, made of letters, digits and . _ - @ + /.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The deploy root is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The deploy root &quot;%1&quot; is not an absolute path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The deploy root &quot;%1&quot; must name a directory below /, without a trailing slash.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The deploy root &quot;%1&quot; contains characters that are not allowed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The deploy root &quot;%1&quot; contains an empty, &apos;.&apos; or &apos;..&apos; component.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use a path relative to the release, such as storage/logs or .env.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The shared path &quot;%1&quot; must be relative and not end with &apos;/&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The shared path &quot;%1&quot; contains characters that are not allowed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The shared path &quot;%1&quot; contains an empty, &apos;.&apos; or &apos;..&apos; component.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use https://host/group/repo.git, ssh://user@host[:port]/path, user@host:path or file:///absolute/path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The git URL is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The git URL &quot;%1&quot; contains a space or control character.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The git URL &quot;%1&quot; must not start with &apos;-&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The git URL &quot;%1&quot; is malformed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file URL &quot;%1&quot; must name an absolute local path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The URL scheme &quot;%1&quot; is not supported for git.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The git URL &quot;%1&quot; has an invalid host: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The git URL &quot;%1&quot; has an invalid port.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The git URL &quot;%1&quot; names no repository path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The git URL &quot;%1&quot; is not in a form git understands.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use a git branch name such as main or release/2.1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The branch is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid git branch name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The tag &quot;%1&quot; is not allowed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The text is %1 characters long; at most %2 are allowed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The text contains control characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The text contains line breaks or control characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove them; only printable text is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A stored key needs its private key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste the private key, or choose &quot;key file&quot; or &quot;ssh-agent&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key file &quot;%1&quot; is not an absolute path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the private key file, for example /home/me/.ssh/id_ed25519.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keeping %1 releases is not possible.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep from 2 to 100: the current release and the one before it always stay.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A package exclude is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write one pattern per line, such as node_modules or *.log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The environment belongs to no project.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the project it deploys.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A parallelism of %1 is out of range.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use 1 to 500 servers at once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The strategy &quot;%1&quot; is unknown.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose full, rolling, gray or patch.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A server is listed twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each server can be in an environment once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The template needs a title.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name it after what it does, for example &quot;Restart nginx&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The script is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write the shell commands to run at this stage.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n field(s) are not valid:</source>
        <translation>
            <numerusform>%n field is not valid:</numerusform>
            <numerusform>%n fields are not valid:</numerusform>
        </translation>
    </message>
    <message>
        <source>The git URL &quot;%1&quot; uses a remote helper (&quot;::&quot;), which could run programs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The git URL contains a password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove it from the URL; use an SSH key or a credential helper instead, so the password is not stored in plain text.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The git URL %1 fetches the code to deploy without authenticating the server: anyone on the network path can change what gets deployed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use https:// or ssh://. If you accept the risk, allow it explicitly for this project (--allow-unauthenticated, or the check box under the URL).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host &quot;%1&quot; contains a space or control character.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Vault</name>
    <message>
        <source>The cryptography library (libsodium) could not start.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reinstall libsodium and start ReleaseDesk again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a password of at least %1 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password is too short.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key could not be derived from the password: %1 MiB of memory were not available.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close other programs and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A secret in the vault could not be decrypted: it was changed, or it was sealed for another place.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the secret again (for a stored key: edit the key and paste it again).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault has no master password yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a master password first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault record in the inventory database is damaged.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore the inventory database from a backup.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The master password is wrong.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type it again, and check Caps Lock and the keyboard layout.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault already has a master password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlock it with that password, or change the password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The master password is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the master password of this inventory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault is locked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlock it with the master password first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the password that protected this data.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is not data sealed by ReleaseDesk, or it is damaged.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the file exactly as it was exported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password is wrong, or the data was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the password that protected this data, and check that the file is complete.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The master password was changed elsewhere since this vault was unlocked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlock the vault again with the new master password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The master password was changed elsewhere in the meantime.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the current master password again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The secret %1 of key %2 could not be decrypted, so the vault was not sealed anew.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter that key again (or remove it), then try again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VaultCommands</name>
    <message>
        <source>Initialized</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sealed secrets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create the vault with: releasedesk-cli vault init</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault already has a master password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change it with: releasedesk-cli vault passwd</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New master password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault is ready; keep the master password safe, it cannot be recovered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The master password is right.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault is not initialized.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create it first with: releasedesk-cli vault init</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Current master password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The master password was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault that seals stored private keys under the master password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Say whether the vault is initialized and how many secrets it holds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the master password (RELEASEDESK_VAULT_PASSWORD, stdin or prompt).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the master password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change the master password: the current one (RELEASEDESK_VAULT_PASSWORD or the first line), then the new one (RELEASEDESK_NEW_VAULT_PASSWORD or the next line).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ZstdPackage</name>
    <message>
        <source>Check the free space and permissions of %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not convert the package %1: out of memory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read the package %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not start %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not move %1 into place as %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the permissions of %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Ships code from git to Linux servers over SSH.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the inventory in DIR (else RELEASEDESK_HOME, else the platform&apos;s application data directory).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DIR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interface language: en or zh_CN.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LANG</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start with a sample project and three sshd servers on this machine (in a demo inventory of its own; the servers stop when the app quits).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::ConnectionCheck</name>
    <message>
        <source>`true` did not succeed (exit %1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in with ssh by hand and check the account&apos;s shell.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped before the check ran.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::ConnectionCheckDialog</name>
    <message>
        <source>Check connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each server is reached over SSH, signed in to with its key, and asked to run `true`. Select a row to read its whole error.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed in with</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 port %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The selected server&apos;s error appears here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>connecting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ok</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ok, %2 failed, %3 still connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ok, %2 failed.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::DemoSetup</name>
    <message>
        <source>%1 %2 failed: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not create %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Preparing the demo: a sample repository and %n sshd server(s) on this machine…</source>
        <translation>
            <numerusform>Preparing the demo: a sample repository and %n sshd server on this machine…</numerusform>
            <numerusform>Preparing the demo: a sample repository and %n sshd servers on this machine…</numerusform>
        </translation>
    </message>
    <message>
        <source>The test-server script %1 is missing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the demo from the build directory, where the build puts it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo servers need root and OpenSSH&apos;s sshd (run the README&apos;s install line).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo servers did not list themselves in %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only %1 of %2 demo servers started.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the release</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restart the shop</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::EnvironmentTableModel</name>
    <message>
        <source>Project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Servers</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::EnvironmentsPane</name>
    <message>
        <source>Environments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where a project is deployed and in which order. Drag servers from &quot;All servers&quot; into the environment, drag them within it to reorder, or drag them back out to remove them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>prod</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>/srv/shop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One path per line, e.g.
storage/logs
.env</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full: all servers, switched together</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rolling: in batches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gray: canary servers first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patch: only changed files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deploy root</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shared paths</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parallelism</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by project or environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter servers by name or host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add →</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add the selected servers to the end of the environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>← Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take the selected servers out of the environment (Delete)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All servers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Servers in this environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release order, top first. Drop here to add, drag to reorder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n environment(s)</source>
        <translation>
            <numerusform>%n environment</numerusform>
            <numerusform>%n environments</numerusform>
        </translation>
    </message>
    <message>
        <source>Servers in %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Servers in the new environment (%1), saved with it</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::FleetStatus</name>
    <message>
        <source>Reading %1 failed (exit %2): %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the SSH user may read the deploy root.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::FleetTableModel</name>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not readable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no release</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DRIFT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading %1 (%2)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 could not be read: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drift: runs %1, but %2 / %3 should run %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs %1, the release of %2 / %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commit %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Locked by %1 for %2: a release may be running there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kept releases: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Free space: %1 MiB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Released</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drift</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::FleetView</name>
    <message>
        <source>Fleet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The release each server runs now, read from the servers themselves. Servers that do not run their environment&apos;s release are marked as drift.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read every server again (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All environments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Some servers log in with a key stored in the vault, which is locked: they cannot be read. Unlock the vault, then refresh.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading %1 of %2 servers…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last read at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not read yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No projects in the inventory yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No enabled servers here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n server(s)</source>
        <translation>
            <numerusform>%n server</numerusform>
            <numerusform>%n servers</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n drifting</source>
        <translation>
            <numerusform>%n drifting</numerusform>
            <numerusform>%n drifting</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n not readable</source>
        <translation>
            <numerusform>%n not readable</numerusform>
            <numerusform>%n not readable</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n locked</source>
        <translation>
            <numerusform>%n locked</numerusform>
            <numerusform>%n locked</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n without a release</source>
        <translation>
            <numerusform>%n without a release</numerusform>
            <numerusform>%n without a release</numerusform>
        </translation>
    </message>
    <message>
        <source>all on their environment&apos;s release</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::HistoryPane</name>
    <message>
        <source>Task history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every release task of this workstation, newest first. Open one to see its pipeline and logs; retry a failed one, resume an interrupted one, or roll back to a release.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by task, version, ref, operator or summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the task directory again (%1); it is also checked every 2 seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the task&apos;s pipeline and logs (Enter or double-click)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the failed servers again from the stage where they failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Continue the interrupted task where each server stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roll back to this release</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All projects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All environments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No release tasks yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n task(s)</source>
        <translation>
            <numerusform>%n task</numerusform>
            <numerusform>%n tasks</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2 tasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n attempt(s)</source>
        <translation>
            <numerusform>%n attempt</numerusform>
            <numerusform>%n attempts</numerusform>
        </translation>
    </message>
    <message>
        <source>Select a succeeded release to switch its environment back to it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Switch every server of %1 / %2 back to %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only a release that succeeded (not a rollback) can be gone back to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is live now, or older than the releases the servers keep</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::HistoryTableModel</name>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rolled back to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commit: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Created: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduled for: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Started: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finished: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attempts: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Servers: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ref</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Servers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Summary</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::HookEditor</name>
    <message>
        <source>Save as template…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shell commands, run with sh -e. RD_PROJECT, RD_ENV, RD_VERSION, RD_COMMIT, RD_RELEASE_DIR, RD_PREVIOUS_DIR and RD_SERVER are set.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a template…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A template needs a name. Type one to save this hook as a template.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The hook is empty: write the commands first, then save them as a template.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save as template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template name (required):</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::HookTemplateTableModel</name>
    <message>
        <source>Before download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After download (build)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Before release</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After release (restart)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Title</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stage</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::HookTemplatesPane</name>
    <message>
        <source>Hook templates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shell scripts run at a pipeline stage. They see RD_PROJECT, RD_ENV, RD_VERSION, RD_COMMIT, RD_RELEASE_DIR, RD_PREVIOUS_DIR and RD_SERVER.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>#!/bin/sh
set -e
sudo systemctl reload nginx</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Title</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Script</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by title or stage</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n hook template(s)</source>
        <translation>
            <numerusform>%n hook template</numerusform>
            <numerusform>%n hook templates</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rd::HostKeyDialog</name>
    <message>
        <source>Host key of another type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown host key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ReleaseDesk knows a key of &lt;b&gt;%1&lt;/b&gt; (%2), but this connection was offered the key below, of another type. Trust it only if it matches the server&apos;s own key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ReleaseDesk has not connected to &lt;b&gt;%1&lt;/b&gt; before. Its server sent the host key below; trust it only if it matches the server&apos;s own key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 port %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To verify it, run this on the server (or ask its administrator) and compare the SHA256 fingerprint it prints:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trust and remember</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect, and store the key in ReleaseDesk&apos;s known_hosts for later connections.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trust once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect this time without storing the key; you will be asked again next time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Do not connect.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::HostKeyScanDialog</name>
    <message>
        <source>Scan host keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keys the servers offer now, compared with ReleaseDesk&apos;s known_hosts. Check the new keys whose fingerprints match the servers&apos; own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on each server) and trust them together.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 port %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a server to see its key, or why it could not be scanned.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check all new</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trust checked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>scanning…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>new</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>known</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CHANGED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>revoked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unreachable: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget stored key…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the stored key of %1 port %2, after you have checked on the server that its key really changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2 port %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 could not be scanned:
%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 offers a host key that differs from the stored one.
Stored:      %2
Offered now: %3 (%4)

Connections to it are refused: someone may be intercepting them. If the server was reinstalled or its keys were rotated, check the new fingerprint on the server (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then use &quot;Forget stored key&quot; and trust the new key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 offers a key marked as revoked in known_hosts (%2 %3). Do not connect until the server has a new key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 offers a key that is not known yet:
%2 %3

Compare it with the output of ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the server before trusting it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 offers the stored key:
%2 %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget stored host key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget the stored host key of %1 (%2 port %3)?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Do this only after checking on the server that its key really changed. The offered key is then shown as new, to be trusted like a first contact.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Scanning %n server(s)…</source>
        <translation>
            <numerusform>Scanning %n server…</numerusform>
            <numerusform>Scanning %n servers…</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 new, %2 known, %3 changed, %4 unreachable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Trust %n checked</source>
        <translation>
            <numerusform>Trust %n checked</numerusform>
            <numerusform>Trust %n checked</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rd::HttpHealthCheck</name>
    <message>
        <source>The health check URL &quot;%1&quot; is not valid: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write a full URL such as http://{host}:8080/health.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The health check URL &quot;%1&quot; is not http or https.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The health check URL &quot;%1&quot; names no host.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use {host} for the server&apos;s address, e.g. http://{host}/health.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no answer within %1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>status %1 %2, expected %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the answer does not contain &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GET %1 -&gt; %2 %3, %4 ms: healthy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GET %1 -&gt; %2, %3 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Healthy: %1 answered %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The health check failed %n time(s); the last answer from %1: %2.</source>
        <translation>
            <numerusform>The health check failed %n time; the last answer from %1: %2.</numerusform>
            <numerusform>The health check failed %n times; the last answer from %1: %2.</numerusform>
        </translation>
    </message>
    <message>
        <source>The health check of %1 was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::InventoryPane</name>
    <message>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add what was typed into a new item, or start a new one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ReleaseDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the new item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Discard the unsaved changes to %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Discard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This also deletes: %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::KeyTableModel</name>
    <message>
        <source>Stored private key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ssh-agent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::KeysPane</name>
    <message>
        <source>SSH keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Login identities for the servers: a private key kept encrypted in the vault, a key file on this machine, or the running ssh-agent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>deploy-key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>deploy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load from file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking the key and its passphrase…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>empty if the key has none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>/home/me/.ssh/id_ed25519</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>filled in when the key is saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offer this key for logins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Private key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by name, user or fingerprint</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n key(s)</source>
        <translation>
            <numerusform>%n key</numerusform>
            <numerusform>%n keys</numerusform>
        </translation>
    </message>
    <message>
        <source>Kept encrypted in the vault. Paste a key here only to replace it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste the private key (-----BEGIN OPENSSH PRIVATE KEY----- …)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A passphrase alone does not change the stored key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste the private key again to change its passphrase.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vault is locked, so the private key cannot be stored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlock the vault (Vault &gt; Unlock) and save again, or use a key file or ssh-agent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load a private key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is too large to be a private key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the private key file, such as id_ed25519 (not an archive).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 could not be read: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the file&apos;s permissions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the private key file</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::LogFileModel</name>
    <message>
        <source>%1 UTC, standard error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 UTC, standard output</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::LogView</name>
    <message>
        <source>Follow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scroll to new lines as they arrive (off while you scroll up)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search (Enter: next, Shift+Enter: previous)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous match (Shift+F3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next match (F3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aa</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Match case</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the selected lines (Ctrl+C)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrap long lines</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Times</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show when each line arrived (local time)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No log file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No log yet: lines appear here as soon as %1 is written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2, wrapped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::MainWindow</name>
    <message>
        <source>ReleaseDesk — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Servers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Projects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Environments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hook templates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fleet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 was due at %2 and was missed; it will not run late.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>environment %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The release cannot start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The task cannot be opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roll back to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>V&amp;ault</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Unlock…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Lock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Change master password…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About ReleaseDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n key(s)</source>
        <translation>
            <numerusform>%n key</numerusform>
            <numerusform>%n keys</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n server(s)</source>
        <translation>
            <numerusform>%n server</numerusform>
            <numerusform>%n servers</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n project(s)</source>
        <translation>
            <numerusform>%n project</numerusform>
            <numerusform>%n projects</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n environment(s)</source>
        <translation>
            <numerusform>%n environment</numerusform>
            <numerusform>%n environments</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hook template(s)</source>
        <translation>
            <numerusform>%n hook template</numerusform>
            <numerusform>%n hook templates</numerusform>
        </translation>
    </message>
    <message>
        <source>Vault: no master password yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vault: unlocked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vault: locked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Set master password…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The master password was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About ReleaseDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;ReleaseDesk %1&lt;/h3&gt;&lt;p&gt;Ships code from git to fleets of Linux servers over SSH, and can always roll back.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit ReleaseDesk?</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n task(s) still running. Quit anyway? They stop where they are, keep their locks, and can be resumed from the history.</source>
        <translation>
            <numerusform>%n task is still running. Quit anyway? It stops where it is, keeps its locks, and can be resumed from the history.</numerusform>
            <numerusform>%n tasks are still running. Quit anyway? They stop where they are, keep their locks, and can be resumed from the history.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rd::PipelineScene</name>
    <message>
        <source>canary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled or skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interrupted: no process ran this stage to its end</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n server(s)</source>
        <translation>
            <numerusform>%n server</numerusform>
            <numerusform>%n servers</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rd::PipelineView</name>
    <message>
        <source>Fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit the whole pipeline into the window (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>−</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom out (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>+</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom in (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>100%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Actual size (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compact</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One thin row per server, grouped by state</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::PlanPreviewDialog</name>
    <message>
        <source>not reached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>known</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>new</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CHANGED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>revoked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan: %1 release of %2 to %3/%4</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Reading %n server(s)… nothing is changed on them.</source>
        <translation>
            <numerusform>Reading %n server… nothing is changed on it.</numerusform>
            <numerusform>Reading %n servers… nothing is changed on them.</numerusform>
        </translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Current</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Free</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problems</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every server would take this release. Select a server to see its steps.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 servers would not take this release: see Problems.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BLOCKED: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::ProjectTableModel</name>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Git URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default branch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep releases</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::ProjectsPane</name>
    <message>
        <source>Projects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Git repositories that ReleaseDesk packages and ships, and how many releases to keep.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>https://git.example.com/team/shop.git</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allow fetching without authenticating the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>http:// and git:// do not authenticate the server: anyone on the network path could change the code that gets deployed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One pattern per line, e.g.
node_modules
*.log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Git URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default branch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep releases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Package excludes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by name, URL or branch</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n project(s)</source>
        <translation>
            <numerusform>%n project</numerusform>
            <numerusform>%n projects</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rd::ReleaseDryRun</name>
    <message>
        <source>Reading %1 failed (exit %2): %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the SSH user may read the deploy root.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The package %1 is not built yet, so the free disk space was not checked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host key has CHANGED: the server offers %1, known_hosts holds %2. Verify the new key on the server, then remove the old one (releasedesk-cli hostkeys forget %3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host key %1 is revoked in known_hosts. Find out why before releasing to %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host key %1 is not known yet, so the deploy root was not read. Compare it with the server&apos;s, then trust it (releasedesk-cli hostkeys scan --accept %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signing in or reading the deploy root failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not reachable: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This task holds the lock already; the release takes it back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Locked by %1 (heartbeat %2 s ago): another release is under way. Wait for it, or break the lock if its owner is gone (releasedesk-cli release break-lock).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No release is current, so there is nothing to patch. Make a full release first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs commit %1, not the patch&apos;s base %2. Make a full release, or a patch from %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(unknown)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Does not keep %1 (it has: %2). Roll back to a release every server keeps.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no releases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs %1 already.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only %1 free on the deploy root, less than the %2 package. Free some space (fewer kept releases, old logs) first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only %1 free on the deploy root, less than three times the %2 package.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>create %1 with releases/, shared/ and .releasedesk/</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>lock %1/.releasedesk/lock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>size unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>upload %1 (%2) to %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>copy releases/%1 as hard links, delete %n path(s), extract the patch into %2</source>
        <translation>
            <numerusform>copy releases/%1 as hard links, delete %n path, extract the patch into %2</numerusform>
            <numerusform>copy releases/%1 as hard links, delete %n paths, extract the patch into %2</numerusform>
        </translation>
    </message>
    <message>
        <source>(none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unpack into %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>link the shared paths %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>before-release hook (%n line(s))</source>
        <translation type="unfinished">
            <numerusform>before-release hook (%n line)</numerusform>
            <numerusform>before-release hook (%n lines)</numerusform>
        </translation>
    </message>
    <message>
        <source>canary: switched before the other servers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>wait until the canaries are promoted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>wait for batch %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>switch current -&gt; releases/%1 (now %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>after-release hook (%n line(s))</source>
        <translation type="unfinished">
            <numerusform>after-release hook (%n line)</numerusform>
            <numerusform>after-release hook (%n lines)</numerusform>
        </translation>
    </message>
    <message>
        <source>health: run `%1` in %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>health: GET %1, expect %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>remove the old releases %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unlock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The package is made when the release starts, so the free disk space was not compared with it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the package</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>whole package: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>whole package: there is no current release to build on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>whole package: it runs commit %1, not the delta&apos;s base %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>delta from %1 (made when the release starts), if its live release is as it was unpacked</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>delta: %n file(s), %1, if its live release is as it was unpacked (else the whole package)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rd::ReleaseEngine</name>
    <message>
        <source>%1 was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 did not finish within %2 s and was stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Raise the time limit or find out what it waits for.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 failed with exit code %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was killed by signal %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 There is no previous release to switch back to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 The server was switched back to %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not switched: %1 of %2 servers failed, more than the failure budget of %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>could not take the lock: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not started: another release holds the deploy lock (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not started: the release was aborted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not started: %1 of %2 servers could not be prepared, more than the failure budget of %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is on the server: nothing to upload.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to unpack for a rollback.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 Switching back to %2 failed too: %3 Check the server now: it runs the new release.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 canary servers run %2; the rest follows after %3 s of healthy checks, or when promoted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 canary servers run %2; promote to release the other %3 servers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refused: another release holds the deploy lock (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 servers run %3; %4 failed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Held after %1 of %2 servers; %3 server(s) wait for the next batch.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The patch goes to the server with the patch command.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The patch went to the server with the lock command.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>whole package: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its live release is not the delta&apos;s base</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aborted: switched back to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aborted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n canary server(s) switched back to the release they ran before.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2 servers run %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n server(s) failed; each one says why.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>The deploy lock could not be released on: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The deploy locks are released.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No after-release hook.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No health check.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::ReleaseForm</name>
    <message>
        <source>Branch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fresh complete unpack (no delta)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetch the mirror before packaging</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetch now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preview plan…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start release</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What this release is for (shown in the history)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Environment:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Description:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What is going out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start the release (Ctrl+Return)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 commit(s) and %2 file(s) since the live release %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Going back: %1 commit(s) are removed and %2 file(s) change against the live release %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Author</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetching…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full — every server, one switch window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rolling — in batches, within a failure budget</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gray — canaries first, then promote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patch — only the files changed since the live release</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> server(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>wait for Promote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failure budget:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Auto-promote after:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After the first release, each server whose live release is still as it was unpacked gets only the changed files (hard links for the rest). Tick this to send every server the whole package instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Servers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release to (untick to leave out):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Canary lane (drag servers here):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hooks and health</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After download (build, here)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Before release</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After release</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. curl -fsS http://127.0.0.1:8080/health</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. http://{host}:8080/health ({host} and {server} are filled in)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Command on the server:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP check URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expected status:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A server whose check fails is switched back to its previous release.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Health check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a project and an environment with servers first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the mirror…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No local mirror of %1 yet: press &quot;Fetch now&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1  [live]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a commit or a tag.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Releasing %1 at %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No release of this environment is recorded here yet: everything goes out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The servers run this commit already.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comparing with the live release…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Canaries get the release first; the task then waits for Promote (or the auto-promote time with healthy checks).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The canary lane is used by gray releases only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose an environment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a project and an environment first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose what to release: a commit of a branch, or a tag.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetch the mirror if the list is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No server is ticked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick the servers to release to.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::ReleaseTask</name>
    <message>
        <source>%1: stage %2 failed: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Promoted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>promoted: the other servers follow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 has already run (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry or resume it instead, or start a new task.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 is %2 in process %3 on %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Promote or abort it instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait for it to finish, or abort it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 succeeded on every server: there is nothing to retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 never started (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start a new task with the same settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 is a %2 release, not a gray one: there is nothing to promote.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 is not waiting for promotion (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 is already over (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 release of %2 (%3) to %4/%5 by %6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>resumed: every server runs its unfinished stages again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>aborted: releasing the deploy locks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The task journal could not be written: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::ServerListModel</name>
    <message>
        <source>#</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::ServerTableModel</name>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Department</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Owner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::ServersPane</name>
    <message>
        <source>Servers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The hosts ReleaseDesk deploys to, with the key it logs in with. Select several to delete them together, or drag them into an environment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>web-01</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>host name, IPv4 or IPv6 address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>empty: the key&apos;s user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>comma separated, e.g. web, eu-west</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deploy to this server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Department</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Owner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by name, host, department, owner or tag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect to the selected servers, sign in and run `true` (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan host keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetch the host keys of the selected servers to approve them together (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n server(s)</source>
        <translation>
            <numerusform>%n server</numerusform>
            <numerusform>%n servers</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rd::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data directory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The --lang option, when given, overrides the language chosen here.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::SshPool</name>
    <message>
        <source>%1 was not added to this run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection to %1 is already closed; this job was not run.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::SshWorker</name>
    <message>
        <source>Cancelled before connecting to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled before it started on %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::Startup</name>
    <message>
        <source>ReleaseDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The language &quot;%1&quot; is not available. Use --lang en or --lang zh_CN.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo could not be set up: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demo ready: three sshd servers run on this machine. Press Start release; try a gray release to demo/prod and a rollback from the history next.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::TaskRunner</name>
    <message>
        <source>start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>before download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>build</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>package</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The task has not been created yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This runner already has a task.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start the new task in a new window.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no project &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetching %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2 bytes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task %1 is still running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait for it, or abort it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no task to run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped before any server was touched.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::TaskWindow</name>
    <message>
        <source>%p% of the stages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preparing: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed before any server was touched</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starts at %1 while ReleaseDesk (or &quot;releasedesk-cli release run --wait&quot;) runs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Held after a batch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause after batch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hold before the next batch; untick to go on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Promote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release the rest: the canaries are fine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abort</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the task and release its locks; servers keep the release they run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run only the failed servers again, from the stage that failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Continue an interrupted task where each server stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roll back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Switch every server back to the release before this one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find in log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search the log that has focus</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1/%2 · %3 · %4 release · %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1/%2 %3 — ReleaseDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preparing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for promotion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Canaries released</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release succeeded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ReleaseDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aborting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No earlier successful release of %1/%2 is recorded here. Roll back from the history or with &quot;releasedesk-cli release rollback&quot; to a release the servers keep.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The task is running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abort the task and close? Servers keep the release they run and the locks are released.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>rd::VaultPasswordDialog</name>
    <message>
        <source>Unlock the vault</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored private keys and passphrases are encrypted with your master password. Enter it to use them, or cancel to continue with the vault locked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Master password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a master password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored private keys are encrypted with a master password that only you know. Choose it now; it cannot be recovered if it is lost.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repeat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change the master password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every stored secret is re-encrypted under the new password in one step.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Current password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlocking… deriving the key takes about a second.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sealing… deriving the keys takes a few seconds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The two new passwords differ. Type the same password in both fields.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
