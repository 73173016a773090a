<#
.SYNOPSIS
    Installs (or repairs, updates, removes) the stac_xl Excel add-in for the current user.

.DESCRIPTION
    Per user, no administrator rights:
      1. checks for the known blockers (Microsoft Store Office, the Defender rules that stop
         Office macros from starting programs, macro policies) and says what to do about each;
      2. installs a private Python into -Root\py with python.org's own installer: for this user
         only, not on PATH, with Tcl/Tk, and of a minor version this PC has no Python of (the
         first of -PythonVersions whose minor is not registered), so it cannot collide with a
         Python the user already has. If the PC has a Python of every one of those minor
         versions, the newest of them is only the base of the virtual environment and is not
         changed. With -PythonPackage (IT's local copy of python.org's NuGet package of Python)
         that package is unpacked into -Root\py instead;
      3. creates a virtual environment there and installs stac_xl[addin] with its pinned xlwings;
      4. builds STAC.xlam, copies it to Excel's XLSTART folder and unblocks it;
      5. self-test: Python imports; Excel (through COM, in a background job with a time limit)
         opens the add-in, runs its SelfTest macro, and a Python round-trip writes a cell in a
         scratch workbook.
    Running it again repairs or updates the install. -Uninstall removes it, and the Python in
    -Root\py if install.ps1 installed it (named in -Root\python-installed-by-stac.txt); a
    Python the user already had is never uninstalled.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install.ps1
.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install.ps1 -Uninstall
.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install.ps1 -PythonPackage \\server\it\python.3.12.10.nupkg
#>
[CmdletBinding()]
param(
    [switch]$Uninstall,
    [string]$Root = (Join-Path $env:LOCALAPPDATA 'stac_xl'),
    # The Pythons install.ps1 may install, in this order of preference (see Select-PythonVersion).
    # Each has a 64-bit installer on python.org, and xlwings 0.37.8, pywin32 and stac_xl's other
    # dependencies have Windows wheels for it. A comma-separated string works too (-File).
    [ValidateNotNullOrEmpty()]
    [string[]]$PythonVersions = @('3.12.10', '3.11.9', '3.13.3'),
    # Optional, for IT: python.org's NuGet package of Python (python.<version>.nupkg) at a local
    # path, unpacked into <Root>\py instead of running the installer (no internet needed for
    # Python; the package registers nothing but has no Tcl/Tk).
    [string]$PythonPackage = '',
    # Where stac_xl comes from: this folder (a source checkout or unpacked release) by default.
    [string]$Source = $PSScriptRoot,
    # Optional folder of wheels for machines without internet access (pip --no-index).
    [string]$Wheelhouse = '',
    # The Excel self-test is stopped (and the Excel it started closed) after this long.
    [int]$SelfTestSeconds = 180,
    [switch]$SkipExcelSelfTest
)

$ErrorActionPreference = 'Stop'
# Windows PowerShell 5.1 may offer only TLS 1.0/1.1, which python.org refuses.
[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
# Invoke-WebRequest's progress bar makes a download many times slower in Windows PowerShell 5.1.
$ProgressPreference = 'SilentlyContinue'

$AddinName = 'STAC.xlam'
$XlStart = Join-Path $env:APPDATA 'Microsoft\Excel\XLSTART'
$PyDir = Join-Path $Root 'py'
$Venv = Join-Path $Root 'venv'
$VenvPython = Join-Path $Venv 'Scripts\python.exe'
# Written once install.ps1's own installer run has put a Python into <Root>\py: its version,
# the one Python -Uninstall may uninstall.
$PythonRecord = Join-Path $Root 'python-installed-by-stac.txt'
# powershell -File passes "-PythonVersions 3.12.10,3.11.9" as one string.
$PythonVersions = @($PythonVersions | ForEach-Object { $_ -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
# Defender attack surface reduction rules that stop the add-in, and why.
$AsrRules = [ordered]@{
    'd4f940ab-401b-4efc-aadc-ad5f3c50688a' = @{
        Name = 'Block all Office applications from creating child processes'
        Why  = 'every button starts cmd.exe, which starts Python (xlwings RunPython), so an exclusion for python.exe does not help'
    }
    '92e97fa1-2edf-4476-bdd6-9dd0b4dddc7b' = @{
        Name = 'Block Win32 API calls from Office macros'
        Why  = 'the add-in contains xlwings'' VBA module, which declares Windows API functions'
    }
}

function Say([string]$Text) { Write-Host "stac_xl: $Text" }
function Warn([string]$Text) { Write-Warning "stac_xl: $Text" }
function Fail([string]$Text) { Write-Host "stac_xl: $Text" -ForegroundColor Red; exit 1 }

function ConvertTo-ProcessArgument([string]$Value) {
    # One argument of a Windows command line, quoted so that the program's C runtime
    # (CommandLineToArgvW rules) reads it back as exactly one argument: a path with a space
    # stays whole. Backslashes count only before a quote: they are doubled there, and at the
    # end (before the closing quote); a quote inside becomes \".
    if ($Value -ne '' -and $Value -notmatch '[\s"]') { return $Value }
    $quoted = [regex]::Replace($Value, '(\\*)"', '$1$1\"')
    $quoted = [regex]::Replace($quoted, '(\\+)$', '$1$1')
    return '"' + $quoted + '"'
}

function Join-ProcessArguments([string[]]$Arguments) {
    # The one command-line string for Start-Process -ArgumentList. Start-Process joins an
    # array with spaces and no quoting, so "TargetDir=C:\Users\John Smith\..." became two
    # arguments; a single pre-quoted string is passed as it is.
    return (($Arguments | ForEach-Object { ConvertTo-ProcessArgument $_ }) -join ' ')
}

function Get-PythonInstallerArguments([string]$TargetDir) {
    # Per user, not on PATH, no py launcher, shortcuts or file associations; Tcl/Tk included
    # (Sign in's fallback password box is tkinter's).
    return @('/quiet', 'InstallAllUsers=0', 'PrependPath=0', 'Include_launcher=0', 'Include_test=0',
             'Include_doc=0', 'Include_tcltk=1', 'Shortcuts=0', 'AssociateFiles=0', "TargetDir=$TargetDir")
}

function Test-ExcelRunning { return [bool](Get-Process -Name EXCEL -ErrorAction SilentlyContinue) }

function Assert-ExcelClosed {
    if (Test-ExcelRunning) { Fail 'Excel is running. Save your work, close Excel, and run install.ps1 again.' }
}

function Test-StoreOffice {
    # Store (AppX) Office runs in a container that cannot start the add-in's Python reliably.
    $appx = Get-AppxPackage -Name 'Microsoft.Office.Desktop*' -ErrorAction SilentlyContinue
    return [bool]$appx
}

function Get-AsrBlockingMode([int]$Action) {
    # Block (1) and Warn (6) stop the add-in; Audit (2), Off (0) and the rest do not. Warn is
    # reported like Block: it blocks until the user clicks through a notice each time, and a
    # hidden cmd.exe started by a macro gets no such chance.
    if ($Action -eq 1) { return 'Block' }
    if ($Action -eq 6) { return 'Warn' }
    return ''
}

function Get-AsrBlockingRules {
    # One sentence per rule above whose mode blocks the add-in (Get-AsrBlockingMode).
    # Rules come from Get-MpPreference and, when set by Group Policy, from its registry key
    # (readable without administrator rights).
    $modes = @{}
    try {
        $pref = Get-MpPreference -ErrorAction Stop
        $ids = @($pref.AttackSurfaceReductionRules_Ids)
        $actions = @($pref.AttackSurfaceReductionRules_Actions)
        for ($i = 0; $i -lt [Math]::Min($ids.Count, $actions.Count); $i++) { $modes["$($ids[$i])".ToLowerInvariant()] = [int]$actions[$i] }
    } catch { }
    $policy = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\Rules'
    if (Test-Path -LiteralPath $policy) {
        $values = Get-ItemProperty -LiteralPath $policy
        foreach ($id in $AsrRules.Keys) {
            $value = $values.PSObject.Properties | Where-Object { $_.Name -ieq $id } | Select-Object -First 1
            if ($value -and "$($value.Value)" -match '^\d+$') { $modes[$id] = [int]$value.Value }
        }
    }
    $found = @()
    foreach ($id in $AsrRules.Keys) {
        if (-not $modes.ContainsKey($id)) { continue }
        $mode = Get-AsrBlockingMode $modes[$id]
        if (-not $mode) { continue }
        $rule = $AsrRules[$id]
        $found += ("Microsoft Defender's attack surface reduction rule '$($rule.Name)' ($id) is set to $mode, " +
                   "so the ribbon buttons will fail ('error 70' or 'Permission denied'): $($rule.Why); " +
                   'ask your IT to allow the STAC add-in under this rule.')
    }
    return $found
}

function Get-MacroPolicyProblems {
    $problems = @()
    foreach ($ver in '16.0', '15.0') {
        $key = "HKCU:\Software\Policies\Microsoft\Office\$ver\Excel\Security"
        if (-not (Test-Path -LiteralPath $key)) { continue }
        $p = Get-ItemProperty -LiteralPath $key
        if ($p.VBAWarnings -eq 4) { $problems += "macros are disabled by policy (Office $ver VBAWarnings=4)" }
        if ($p.RequireAddinSig -eq 1) { $problems += "add-ins must be signed by policy (Office $ver RequireAddinSig=1)" }
        if ($p.blockcontentexecutionfrominternet -eq 1) { $problems += "macros from the internet are blocked (files are unblocked below)" }
    }
    return $problems
}

function Test-Blockers {
    if (Test-StoreOffice) {
        Fail ('Office from the Microsoft Store is installed; its Excel cannot run the add-in''s Python. ' +
              'Install the Click-to-Run version of Microsoft 365 (office.com) and run install.ps1 again.')
    }
    foreach ($sentence in Get-AsrBlockingRules) { Warn $sentence }
    foreach ($p in Get-MacroPolicyProblems) { Warn "Excel policy: $p. Ask your IT to allow the STAC add-in." }
}

function Get-PythonMinor([string]$Version) {
    # '3.12.10' -> '3.12'; a PEP 514 tag '3.12-32' (32-bit) or '3.13t' (free-threaded) -> '3.12', '3.13'.
    return [regex]::Replace($Version, '^(\d+\.\d+).*$', '$1')
}

function Get-RegisteredPythonTags {
    # The PEP 514 tags ("3.12", "3.12-32", "3.13t") of the Pythons registered on this PC: for
    # this user and for all users, 64- and 32-bit. python.org's installer registers each Python
    # it installs there.
    $tags = @()
    foreach ($key in 'HKCU:\Software\Python\PythonCore', 'HKLM:\Software\Python\PythonCore',
                     'HKLM:\Software\WOW6432Node\Python\PythonCore') {
        $tags += @(Get-ChildItem -LiteralPath $key -ErrorAction SilentlyContinue | ForEach-Object { $_.PSChildName })
    }
    return $tags
}

function Get-RegisteredPython([string]$Minor) {
    # The python.exe of the 64-bit Python <Minor> registered (PEP 514) for this user or for all
    # users; $null if there is none.
    foreach ($hive in 'HKCU', 'HKLM') {
        $key = "${hive}:\Software\Python\PythonCore\$Minor\InstallPath"
        if (-not (Test-Path -LiteralPath $key)) { continue }
        $values = Get-ItemProperty -LiteralPath $key
        $candidates = @($values.ExecutablePath)
        if ($values.'(default)') { $candidates += Join-Path $values.'(default)' 'python.exe' }
        foreach ($exe in $candidates) { if ($exe -and (Test-Path -LiteralPath $exe)) { return $exe } }
    }
    return $null
}

function Select-PythonVersion([string[]]$Candidates, [string[]]$Registered) {
    # Which Python the add-in runs on, from -PythonVersions ($Candidates) and the PEP 514 tags
    # registered on this PC ($Registered, Get-RegisteredPythonTags). python.org's installer is
    # one product per minor version: when that minor is installed already it ignores TargetDir
    # and repairs or upgrades the existing Python instead of installing a private one. So the
    # first candidate whose minor has no registered Python at all (any tag: 32-bit and
    # free-threaded ones count too) is installed: @{ Install = '3.12.10' }. If every
    # candidate's minor is registered, nothing is installed: the newest of those minors is only
    # the base of the virtual environment (which keeps our packages apart), @{ Use = '3.13' },
    # and one sentence says so.
    $taken = @($Registered | ForEach-Object { Get-PythonMinor $_ })
    foreach ($version in $Candidates) {
        if ($taken -notcontains (Get-PythonMinor $version)) { return @{ Install = $version } }
    }
    $newest = '0.0'
    foreach ($version in $Candidates) {
        $minor = Get-PythonMinor $version
        if ([version]$minor -gt [version]$newest) { $newest = $minor }
    }
    $list = @($Candidates | ForEach-Object { Get-PythonMinor $_ }) -join ', '
    Say ("This PC already has a Python of each version install.ps1 can install ($list), and python.org's installer would " +
         "change one of those rather than install a private one, so the add-in's virtual environment is made from your Python $newest, which stays as it is.")
    return @{ Use = $newest }
}

function Install-PrivatePython {
    # The base Python of the virtual environment: <Root>\py if an earlier run put one there;
    # else IT's package (-PythonPackage), unpacked; else python.org's installer with a version
    # Select-PythonVersion chose; else (every supported minor already on this PC) the clerk's
    # newest, used as it is.
    $python = Join-Path $PyDir 'python.exe'
    if (Test-Path -LiteralPath $python) { Say "Python found at '$python'"; return $python }
    if ($PythonPackage) {
        Expand-PythonPackage
        $expected = ''
    } else {
        $choice = Select-PythonVersion $PythonVersions @(Get-RegisteredPythonTags)
        if ($choice.Install) {
            Install-PythonWithInstaller $choice.Install
            $expected = $choice.Install
        } else {
            $python = Get-RegisteredPython $choice.Use
            if (-not $python) {
                Fail ("No 64-bit Python $($choice.Use) was found in the registry (only 32-bit or free-threaded ones), and " +
                      'install.ps1 will not change a Python you have: ask your IT for python.org''s Python package and run install.ps1 -PythonPackage <its path>.')
            }
            $expected = $choice.Use
        }
    }
    if (-not (Test-Path -LiteralPath $python)) { Fail "Python did not appear at '$python'." }
    $version = & $python -c 'import platform; print(platform.python_version())'
    if ($LASTEXITCODE -ne 0) { Fail "The Python at '$python' does not run." }
    $supported = @($PythonVersions | ForEach-Object { Get-PythonMinor $_ })
    if ($expected -and $version -ne $expected -and (Get-PythonMinor $version) -ne $expected) {
        Fail "The Python at '$python' is Python $version, not $expected."
    }
    if ($supported -notcontains (Get-PythonMinor $version)) {
        Fail "The Python at '$python' is Python $version; the add-in needs Python $($supported -join ', ')."
    }
    # No stderr: Windows PowerShell 5.1 would stop on it ($ErrorActionPreference = 'Stop').
    & $python -c 'exec(''try:\n import tkinter\nexcept Exception:\n raise SystemExit(1)'')'
    if ($LASTEXITCODE -ne 0) {
        Warn "The Python at '$python' has no Tcl/Tk (tkinter), so Sign in's fallback password box cannot open with it."
    }
    return $python
}

function Expand-PythonPackage {
    # IT's copy of python.org's NuGet package of Python (-PythonPackage, a local path: install.ps1
    # downloads no package). It is a zip whose tools folder is a whole Python: unpacked into
    # <Root>\py it registers nothing, and -Uninstall just removes the folder. It has pip and venv
    # but no Tcl/Tk.
    if (-not (Test-Path -LiteralPath $PythonPackage -PathType Leaf)) { Fail "-PythonPackage: there is no file '$PythonPackage'." }
    $zip = Join-Path $env:TEMP 'stac_xl-python-package.zip'  # Expand-Archive wants .zip
    Copy-Item -LiteralPath $PythonPackage -Destination $zip -Force
    $unpacked = Join-Path $Root 'py-unpack'
    if (Test-Path -LiteralPath $unpacked) { Remove-Item -LiteralPath $unpacked -Recurse -Force }
    Say "Unpacking the Python package '$PythonPackage' into '$PyDir' (for this user only, not on PATH, nothing registered)..."
    Expand-Archive -LiteralPath $zip -DestinationPath $unpacked -Force
    $tools = Join-Path $unpacked 'tools'  # the package keeps python.exe and its library here
    if (-not (Test-Path -LiteralPath (Join-Path $tools 'python.exe'))) { Fail "'$PythonPackage' is not python.org's Python package (no tools\python.exe)." }
    # A <Root>\py without python.exe is what an interrupted run left: replace it.
    if (Test-Path -LiteralPath $PyDir) { Remove-Item -LiteralPath $PyDir -Recurse -Force }
    Move-Item -LiteralPath $tools -Destination $PyDir
    Remove-Item -LiteralPath $unpacked -Recurse -Force
    Remove-Item -LiteralPath $zip -Force
}

function Install-PythonWithInstaller([string]$Version) {
    # Select-PythonVersion chose $Version because this PC has no Python of its minor version,
    # so the installer installs a new Python into <Root>\py rather than changing another one.
    $url = "https://www.python.org/ftp/python/$Version/python-$Version-amd64.exe"
    $installer = Join-Path $env:TEMP "python-$Version-amd64.exe"
    Say "Downloading Python $Version from python.org..."
    Invoke-WebRequest -Uri $url -OutFile $installer -UseBasicParsing
    Say "Installing a private Python $Version into '$PyDir' (for this user only, not on PATH)..."
    $arguments = Join-ProcessArguments (Get-PythonInstallerArguments $PyDir)
    $proc = Start-Process -FilePath $installer -ArgumentList $arguments -Wait -PassThru
    Remove-Item -LiteralPath $installer -Force -ErrorAction SilentlyContinue  # it keeps its own copy for uninstalling
    if ($proc.ExitCode -ne 0) { Fail "The Python installer failed (exit code $($proc.ExitCode))." }
    if (-not (Test-Path -LiteralPath (Join-Path $PyDir 'python.exe'))) {
        Fail "python.org's installer finished but put no python.exe in '$PyDir'; look in Settings > Apps for a Python $Version and send this message to support."
    }
    # From now on -Uninstall may uninstall this Python, and only this one.
    Set-Content -LiteralPath $PythonRecord -Value $Version -Encoding Ascii
}

function Test-VenvBase([string]$BasePython) {
    # Whether the virtual environment was made from $BasePython (pyvenv.cfg's home is its folder).
    $cfg = Join-Path $Venv 'pyvenv.cfg'
    if (-not (Test-Path -LiteralPath $cfg)) { return $false }
    $line = Get-Content -LiteralPath $cfg | Where-Object { $_ -match '^\s*home\s*=' } | Select-Object -First 1
    if (-not $line) { return $false }
    $baseDir = ($line -split '=', 2)[1].Trim().TrimEnd('\')
    return $baseDir -ieq (Split-Path -Parent $BasePython).TrimEnd('\')
}

function Install-Package([string]$BasePython) {
    # A virtual environment made from another Python (a clerk's Python that was the base
    # before, or since removed) is made again from this one.
    if ((Test-Path -LiteralPath $Venv) -and -not ((Test-Path -LiteralPath $VenvPython) -and (Test-VenvBase $BasePython))) {
        Say "Replacing the virtual environment in '$Venv', which was not made from '$BasePython'..."
        Remove-Item -LiteralPath $Venv -Recurse -Force
    }
    if (-not (Test-Path -LiteralPath $VenvPython)) {
        Say "Creating the virtual environment in '$Venv' from '$BasePython'..."
        & $BasePython -m venv $Venv
        if ($LASTEXITCODE -ne 0) { Fail 'Could not create the virtual environment.' }
    }
    $pipArgs = @('-m', 'pip', 'install', '--upgrade', '--disable-pip-version-check')
    if ($Wheelhouse) { $pipArgs += @('--no-index', '--find-links', $Wheelhouse) }
    Say 'Installing stac_xl and its pinned xlwings...'
    & $VenvPython @pipArgs pip | Out-Null
    & $VenvPython @pipArgs "$Source[addin]"
    if ($LASTEXITCODE -ne 0) { Fail 'pip could not install stac_xl (see the messages above).' }
    Remove-UnneededImports
}

function Remove-UnneededImports {
    # xlwings imports pandas and numpy whenever they are installed, on every ribbon click
    # (about two thirds of a second a click); stac_xl uses neither, and ".[addin]" pulls in
    # neither, so a virtual environment that has them (from an earlier install, or added by
    # hand) loses them here.
    $present = & $VenvPython -c "import importlib.util as u; print(' '.join(n for n in ('pandas', 'numpy') if u.find_spec(n)))"
    $names = @("$present".Split(' ', [StringSplitOptions]::RemoveEmptyEntries))
    if ($names.Count -eq 0) { return }
    Say "Removing $($names -join ' and ') from the virtual environment: every click would import them for nothing..."
    & $VenvPython -m pip uninstall --yes --disable-pip-version-check @names | Out-Null
    if ($LASTEXITCODE -ne 0) { Warn "pip could not remove $($names -join ' and '); clicks stay slower until they are gone." }
}

function Install-Addin {
    $buildDir = Join-Path $Root 'addin'
    $interpreter = Join-Path $Venv 'Scripts\python.exe'
    Say 'Building the add-in...'
    # From -Root, so `python -m` runs the installed stac_xl, not a copy in the current folder.
    # scripts/check-install-paths runs this same command line in CI.
    Push-Location -LiteralPath $Root
    try {
        & $VenvPython -m stac_xl.cli addin build --out $buildDir --interpreter $interpreter --sources (Join-Path $Source 'workbook')
        if ($LASTEXITCODE -ne 0) { Fail 'Building STAC.xlam failed (see the messages above).' }
    } finally { Pop-Location }
    New-Item -ItemType Directory -Force -Path $XlStart | Out-Null
    Copy-Item -LiteralPath (Join-Path $buildDir $AddinName) -Destination (Join-Path $XlStart $AddinName) -Force
    # Mark-of-the-Web would make Excel block the add-in's macros silently.
    Get-ChildItem -LiteralPath $Root -Recurse -File | Unblock-File
    Unblock-File -LiteralPath (Join-Path $XlStart $AddinName)
    Say "Add-in installed in '$XlStart'"
}

# Runs in a background job, so a hung Excel (a VBA message box in a hidden window, a
# "file in use" prompt) cannot hang the installer. The first line it writes is Excel's
# process id, for closing that Excel if the time runs out.
$ExcelSelfTest = {
    param([string]$AddinPath, [string]$AddinName)
    $ErrorActionPreference = 'Stop'
    Add-Type -Namespace StacXl -Name Win32 -MemberDefinition (
        '[DllImport("user32.dll")] public static extern uint GetWindowThreadProcessId(System.IntPtr hWnd, out uint processId);')
    $excel = New-Object -ComObject Excel.Application
    $excelPid = [uint32]0
    [void][StacXl.Win32]::GetWindowThreadProcessId([System.IntPtr]$excel.Hwnd, [ref]$excelPid)
    "pid=$excelPid"
    try {
        $excel.Visible = $false
        $excel.DisplayAlerts = $false
        $null = $excel.Workbooks.Open($AddinPath)
        'answer=' + $excel.Run("'$AddinName'!STAC.SelfTest")
        $scratch = $excel.Workbooks.Add()
        $null = $excel.Run("'$AddinName'!STAC.RunAction", 'self_test')
        'cell=' + $scratch.Worksheets.Item(1).Range('A1').Value2
        $scratch.Close($false)
    } finally {
        $excel.Quit()
        [void][System.Runtime.InteropServices.Marshal]::ReleaseComObject($excel)
    }
}

function Invoke-SelfTest {
    & $VenvPython -c "import xlwings, stac_xl; print('python ok', stac_xl.__version__, 'xlwings', xlwings.__version__)"
    if ($LASTEXITCODE -ne 0) { Fail 'Self-test: Python cannot import stac_xl.' }
    if ($SkipExcelSelfTest) { return }
    Say "Self-test: starting Excel in the background (at most $SelfTestSeconds seconds)..."
    $job = Start-Job -ScriptBlock $ExcelSelfTest -ArgumentList (Join-Path $XlStart $AddinName), $AddinName
    $done = Wait-Job -Job $job -Timeout $SelfTestSeconds
    $lines = @(Receive-Job -Job $job -Keep -ErrorAction SilentlyContinue -ErrorVariable jobErrors)
    $values = @{}
    foreach ($line in $lines) { $key, $value = "$line" -split '=', 2; $values[$key] = $value }
    if (-not $done) {
        Stop-Job -Job $job
        if ($values['pid']) { Stop-Process -Id ([int]$values['pid']) -Force -ErrorAction SilentlyContinue }
        Remove-Job -Job $job -Force
        Fail ("Self-test: Excel did not finish within $SelfTestSeconds seconds (probably a message box in the hidden " +
              'Excel), so the installer closed that Excel; open Excel yourself, click ServiceTrade > Help, and send any message you see to support.')
    }
    Remove-Job -Job $job -Force
    if ($job.State -eq 'Failed' -or $jobErrors) {
        $why = if ($jobErrors) { $jobErrors[0].Exception.Message } else { $job.ChildJobs[0].JobStateInfo.Reason.Message }
        Fail "Self-test in Excel failed: $why"
    }
    Say "Self-test: the add-in answered '$($values['answer'])'"
    if ($values['cell'] -ne 'STAC ok') { Fail "Self-test: the Python round-trip did not write to Excel (A1 = '$($values['cell'])')." }
    Say 'Self-test: Excel -> Python -> Excel round-trip ok.'
}

function Uninstall-Stac {
    Assert-ExcelClosed
    $target = Join-Path $XlStart $AddinName
    if (Test-Path -LiteralPath $target) { Remove-Item -LiteralPath $target -Force; Say "Removed '$target'" }
    Remove-InstalledPython
    # What is left of <Root>\py (a -PythonPackage Python registers nothing) goes with the folder.
    if (Test-Path -LiteralPath $Root) { Remove-Item -LiteralPath $Root -Recurse -Force; Say "Removed '$Root'" }
    Say 'Uninstalled. Stored ServiceTrade credentials stay in Windows Credential Manager (service stac_xl); remove them there if you wish.'
}

function Get-OurRegisteredPythonVersions {
    # Versions of the Pythons registered (PEP 514) with their InstallPath in <Root>\py.
    $found = @()
    foreach ($tag in Get-ChildItem -LiteralPath 'HKCU:\Software\Python\PythonCore' -ErrorAction SilentlyContinue) {
        $installPath = Join-Path $tag.PSPath 'InstallPath'
        if (-not (Test-Path -LiteralPath $installPath)) { continue }
        $dir = (Get-ItemProperty -LiteralPath $installPath).'(default)'
        if ($dir -and $dir.TrimEnd('\') -ieq $PyDir.TrimEnd('\')) { $found += (Get-ItemProperty -LiteralPath $tag.PSPath).Version }
    }
    return $found
}

function Remove-InstalledPython {
    # Only the Python that install.ps1 installed: the version named in <Root>\python-installed-by-stac.txt
    # (without that file, from an older install.ps1: a Python it installed in <Root>\py), and
    # only while it is registered (PEP 514) in <Root>\py. It is uninstalled through its cached
    # installer, so no "Python 3.x" entry is left in Apps & features. Any other Python, and a
    # clerk's Python that was only the base of the virtual environment, is never touched.
    $versions = @(Get-OurRegisteredPythonVersions)
    if (Test-Path -LiteralPath $PythonRecord) {
        $recorded = @(Get-Content -LiteralPath $PythonRecord | ForEach-Object { $_.Trim() } | Where-Object { $_ })
        $versions = @($versions | Where-Object { $recorded -contains $_ })
    }
    if (-not $versions) { return }
    $bundles = Get-ChildItem -LiteralPath 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Uninstall' -ErrorAction SilentlyContinue |
        Get-ItemProperty | Where-Object {
            $name = $_.DisplayName
            $_.BundleCachePath -and @($versions | Where-Object { $name -like "Python $_ (*" }).Count -gt 0
        }
    foreach ($bundle in $bundles) {
        Say "Uninstalling $($bundle.DisplayName), which install.ps1 installed in '$PyDir'..."
        $proc = Start-Process -FilePath $bundle.BundleCachePath -ArgumentList (Join-ProcessArguments @('/uninstall', '/quiet')) -Wait -PassThru
        if ($proc.ExitCode -ne 0) { Warn "The Python uninstaller exited with code $($proc.ExitCode); remove '$($bundle.DisplayName)' in Settings > Apps." }
    }
}

if ($Uninstall) { Uninstall-Stac; exit 0 }
Assert-ExcelClosed
Test-Blockers
New-Item -ItemType Directory -Force -Path $Root | Out-Null
$python = Install-PrivatePython
Install-Package $python
Install-Addin
Invoke-SelfTest
Say 'Done. Open Excel: the ServiceTrade tab is on the ribbon.'
